import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PolicyTranslator } from '../policy-translator';
import { byParam } from '@easgate/identity';
import { Access } from '@easgate/service-runtime';

@ApiTags('devices')
@ApiBearerAuth()
@Controller('v1/tenants/:tenant')
export class DevicesController {
  constructor(private readonly translator: PolicyTranslator) {}

  @Get('devices/:mdmDeviceId')
  @Access('auditor', byParam('tenant'))
  @ApiOperation({
    summary:
      "A device's desired Exchange state, and each wipe easgate asked for (`wipes`: requested, sent, acknowledged, failed, cancelled; what was sent and why)",
  })
  device(@Param('tenant') tenant: string, @Param('mdmDeviceId') mdmDeviceId: string) {
    return this.translator.device(tenant, mdmDeviceId);
  }

  @Get('devices/:mdmDeviceId/explain')
  @Access('auditor', byParam('tenant'))
  @ApiOperation({
    summary:
      "Why: the events received, the rule matched, the desired and Exchange's state, commands and results",
  })
  explain(@Param('tenant') tenant: string, @Param('mdmDeviceId') mdmDeviceId: string) {
    return this.translator.explain(tenant, mdmDeviceId);
  }

  @Post('auto-quarantine/sweep')
  @Access('operator', byParam('tenant'))
  @HttpCode(200)
  @ApiOperation({
    summary: 'Quarantine now the devices no MDM reported past the grace period (otherwise periodic)',
  })
  async sweep(@Param('tenant') tenant: string) {
    return { commands: await this.translator.sweepAutoQuarantine(new Date(), tenant) };
  }
}
