import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AlertKind, AlertSeverity } from '@easgate/contracts';
import {
  AcknowledgeInput,
  AlertingApi,
  AlertQuery,
  parseInput,
  SilenceInput,
} from '../application/alerting-api';
import { byParam } from '@easgate/identity';
import { Access } from '@easgate/service-runtime';

@ApiTags('alerts')
@ApiBearerAuth()
@ApiParam({ name: 'tenant', description: 'Entra tenant, or * for deployment-wide alerts' })
@Controller('v1/tenants/:tenant/alerts')
export class AlertsController {
  constructor(@Inject(AlertingApi) private readonly api: AlertingApi) {}

  @Get()
  @Access('auditor', byParam('tenant'))
  @ApiOperation({ summary: "The tenant's alerts, newest first, filtered by status, kind and severity" })
  @ApiQuery({ name: 'status', required: false, enum: ['firing', 'resolved'] })
  @ApiQuery({ name: 'kind', required: false, enum: AlertKind.options })
  @ApiQuery({ name: 'severity', required: false, enum: AlertSeverity.options })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiResponse({
    status: 400,
    description: 'ALERTING_INVALID_REQUEST: a filter is not one of the listed values',
  })
  list(@Param('tenant') tenant: string, @Query() query: unknown) {
    return this.api.listAlerts(tenant, parseInput(AlertQuery, query));
  }

  @Get(':fingerprint')
  @Access('auditor', byParam('tenant'))
  @ApiOperation({ summary: 'One alert by fingerprint' })
  @ApiResponse({ status: 404, description: 'ALERT_NOT_FOUND' })
  get(@Param('tenant') tenant: string, @Param('fingerprint') fingerprint: string) {
    return this.api.getAlert(tenant, fingerprint);
  }

  @Post(':fingerprint/acknowledge')
  @Access('operator', byParam('tenant'))
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge an alert (cleared again if its severity rises)' })
  @ApiBody({ schema: { example: { by: 'oncall@contoso.com' } } })
  @ApiResponse({ status: 400, description: 'ALERTING_INVALID_REQUEST: the fields at fault' })
  @ApiResponse({ status: 404, description: 'ALERT_NOT_FOUND' })
  acknowledge(
    @Param('tenant') tenant: string,
    @Param('fingerprint') fingerprint: string,
    @Body() body: unknown,
  ) {
    return this.api.acknowledge(tenant, fingerprint, parseInput(AcknowledgeInput, body).by);
  }

  @Post(':fingerprint/silence')
  @Access('operator', byParam('tenant'))
  @HttpCode(200)
  @ApiOperation({
    summary: 'Hold back notifications of an alert for some minutes (it stays on the alert topic)',
  })
  @ApiBody({ schema: { example: { minutes: 120 } } })
  @ApiResponse({ status: 400, description: 'ALERTING_INVALID_REQUEST: the fields at fault' })
  @ApiResponse({ status: 404, description: 'ALERT_NOT_FOUND' })
  silence(@Param('tenant') tenant: string, @Param('fingerprint') fingerprint: string, @Body() body: unknown) {
    return this.api.silence(tenant, fingerprint, parseInput(SilenceInput, body).minutes);
  }
}
