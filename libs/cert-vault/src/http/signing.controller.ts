import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { AssertionSigner } from '../application/assertion-signer';
import { Actor } from './actor.decorator';
import { ClientAssertionBody, ClientAssertionResponse } from './dtos';
import { ZodPipe, openApiSchema } from './zod-body.pipe';
import { resolvedBy } from '@easgate/identity';
import { Access } from '@easgate/service-runtime';

/** The executor's signing contract (internal: same API token, not for people). */
@ApiTags('internal: signing')
@ApiBearerAuth()
@Controller('internal/v1/tenant-connections/:connectionId')
export class SigningController {
  constructor(@Inject(AssertionSigner) private readonly signer: AssertionSigner) {}

  @Post('client-assertion')
  @Access('service', resolvedBy('connection', 'connectionId'), { services: ['exchange-executor'] })
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Sign a client assertion (RS256 + x5t, or PS256 + x5t#S256 per connection) with the ACTIVE certificate',
  })
  @ApiBody({ schema: openApiSchema(ClientAssertionBody) })
  @ApiResponse({ status: 200, schema: openApiSchema(ClientAssertionResponse) })
  @ApiResponse({ status: 404, description: '{code:"TENANT_CONNECTION_NOT_FOUND"}' })
  @ApiResponse({ status: 409, description: '{code:"NO_ACTIVE_CERTIFICATE"}' })
  @ApiResponse({
    status: 403,
    description: '{code:"AUDIENCE_NOT_ALLOWED"}: not this connection\'s token endpoint',
  })
  sign(
    @Param('connectionId') connectionId: string,
    @Body(new ZodPipe(ClientAssertionBody)) body: z.infer<typeof ClientAssertionBody>,
    @Actor() actor: string,
  ) {
    return this.signer.sign(connectionId, body.audience, actor);
  }
}
