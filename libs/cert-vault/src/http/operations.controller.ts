import { Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { AuditTrail } from '../application/audit-trail';
import { ExpiryScanner } from '../application/expiry-scanner';
import { MasterKeyRewrapper } from '../application/master-key-rewrapper';
import { Actor } from './actor.decorator';
import { AuditQueryParams } from './dtos';
import { ZodPipe } from './zod-body.pipe';
import { allTenants } from '@easgate/identity';
import { Access } from '@easgate/service-runtime';

@ApiTags('audit and operations')
@ApiBearerAuth()
@Controller('v1')
export class OperationsController {
  constructor(
    @Inject(AuditTrail) private readonly audit: AuditTrail,
    @Inject(ExpiryScanner) private readonly scanner: ExpiryScanner,
    @Inject(MasterKeyRewrapper) private readonly rewrapper: MasterKeyRewrapper,
  ) {}

  @Get('audit')
  @Access('auditor', allTenants)
  @ApiOperation({ summary: 'Audit log rows (hash-chained), oldest first; page with afterSeq' })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST: the query parameters at fault' })
  query(@Query(new ZodPipe(AuditQueryParams)) query: z.infer<typeof AuditQueryParams>) {
    return this.audit.query(query);
  }

  @Get('audit/verify')
  @Access('auditor', allTenants)
  @ApiOperation({ summary: 'Recompute the hash chain: {valid, checked, brokenAt?, problem?}' })
  verify() {
    return this.audit.verify();
  }

  @Post('audit/checkpoints')
  @Access('admin', allTenants)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Append the current chain head, HMAC-signed, to VAULT_AUDIT_CHECKPOINT_FILE (an anchor outside the database)',
  })
  checkpoint() {
    return this.audit.checkpoint();
  }

  @Post('expiry-scan')
  @Access('operator', allTenants)
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the expiry scanner now (expiring/expired events, overlap retirements)' })
  scan() {
    return this.scanner.scanNow();
  }

  @Post('master-key/rewrap')
  @Access('admin', allTenants)
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-wrap every data key under the current master key (master-key rotation)' })
  rewrap(@Actor() actor: string) {
    return this.rewrapper.rewrapAll(actor);
  }
}
