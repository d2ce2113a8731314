import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AlertingApi, parseInput, SubscriptionInput } from '../application/alerting-api';
import { TestAlerts } from '../application/test-alerts';
import { actorOf, byParam } from '@easgate/identity';
import { Access, identityOfRequest } from '@easgate/service-runtime';

const example = {
  name: 'Certificate expiry to ops',
  kinds: ['certificate-expiring', 'certificate-expired'],
  minSeverity: 'warning',
  destination: {
    type: 'webhook',
    url: 'https://ops.example.com/hooks/easgate',
    secret: 'a-long-shared-secret-value',
  },
};

@ApiTags('subscriptions')
@ApiBearerAuth()
@ApiParam({ name: 'tenant', description: 'Entra tenant, or * for every tenant' })
@Controller('v1/tenants/:tenant/subscriptions')
export class SubscriptionsController {
  constructor(
    @Inject(AlertingApi) private readonly api: AlertingApi,
    @Inject(TestAlerts) private readonly testAlerts: TestAlerts,
  ) {}

  @Get()
  @Access('auditor', byParam('tenant'))
  @ApiOperation({ summary: "The tenant's alert subscriptions (webhook secrets are never returned)" })
  list(@Param('tenant') tenant: string) {
    return this.api.listSubscriptions(tenant);
  }

  @Post()
  @Access('operator', byParam('tenant'))
  @ApiOperation({
    summary: 'Subscribe a destination (Alertmanager, webhook, e-mail) to alert kinds from a minimum severity',
  })
  @ApiBody({ schema: { example } })
  @ApiResponse({
    status: 400,
    description: 'SUBSCRIPTION_INVALID or ALERTING_INVALID_REQUEST: the fields at fault',
  })
  create(@Param('tenant') tenant: string, @Body() body: unknown) {
    return this.api.createSubscription(tenant, parseInput(SubscriptionInput, body));
  }

  @Get(':id')
  @Access('auditor', byParam('tenant'))
  @ApiResponse({ status: 404, description: 'SUBSCRIPTION_NOT_FOUND' })
  get(@Param('tenant') tenant: string, @Param('id') id: string) {
    return this.api.getSubscription(tenant, id);
  }

  @Put(':id')
  @Access('operator', byParam('tenant'))
  @ApiOperation({ summary: 'Replace a subscription' })
  @ApiBody({ schema: { example } })
  @ApiResponse({
    status: 400,
    description: 'SUBSCRIPTION_INVALID or ALERTING_INVALID_REQUEST: the fields at fault',
  })
  @ApiResponse({ status: 404, description: 'SUBSCRIPTION_NOT_FOUND' })
  replace(@Param('tenant') tenant: string, @Param('id') id: string, @Body() body: unknown) {
    return this.api.replaceSubscription(tenant, id, parseInput(SubscriptionInput, body));
  }

  @Delete(':id')
  @Access('operator', byParam('tenant'))
  @HttpCode(204)
  @ApiResponse({ status: 404, description: 'SUBSCRIPTION_NOT_FOUND' })
  async remove(@Param('tenant') tenant: string, @Param('id') id: string) {
    await this.api.deleteSubscription(tenant, id);
  }

  @Get(':id/deliveries')
  @Access('auditor', byParam('tenant'))
  @ApiOperation({
    summary: 'Recorded deliveries of a subscription, newest first, with attempts and last error',
  })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiResponse({ status: 404, description: 'SUBSCRIPTION_NOT_FOUND' })
  deliveries(@Param('tenant') tenant: string, @Param('id') id: string, @Query('limit') limit?: string) {
    return this.api.listDeliveries(tenant, id, Math.min(Math.max(Number(limit ?? 100) || 100, 1), 1000));
  }

  @Post(':id/test')
  @Access('operator', byParam('tenant'))
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Send a test alert (kind test-alert, severity info) to the subscription's destination through the real delivery path",
    description:
      "Not recorded as a delivery and not published on the alert topic. A failure is a coded error naming the cause (status, host, network reason), never the destination's answer body.",
  })
  @ApiResponse({
    status: 200,
    description: 'Delivered: the destination accepted it',
    schema: {
      type: 'object',
      required: ['subscriptionId', 'destination', 'delivered', 'fingerprint', 'sentAt', 'durationMs'],
      properties: {
        subscriptionId: { type: 'string' },
        destination: { type: 'string', enum: ['alertmanager', 'webhook', 'email'] },
        delivered: { type: 'boolean', enum: [true] },
        fingerprint: { type: 'string' },
        sentAt: { type: 'string', format: 'date-time' },
        durationMs: { type: 'number' },
      },
    },
  })
  @ApiResponse({
    status: 400,
    description: 'DESTINATION_NOT_ALLOWED: the destination is on an address the operator did not admit',
  })
  @ApiResponse({ status: 404, description: 'SUBSCRIPTION_NOT_FOUND' })
  @ApiResponse({
    status: 502,
    description:
      'DESTINATION_REJECTED (it answered a failure status) or DESTINATION_UNREACHABLE (refused, DNS, timeout, TLS)',
  })
  sendTest(@Param('tenant') tenant: string, @Param('id') id: string, @Req() request: Request) {
    const identity = identityOfRequest(request);
    return this.testAlerts.send(tenant, id, identity ? actorOf(identity) : 'anonymous');
  }
}
