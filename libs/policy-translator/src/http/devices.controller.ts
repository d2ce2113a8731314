import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PolicyTranslator } from '../policy-translator';

@ApiTags('devices')
@ApiBearerAuth()
@Controller('v1/tenants/:tenant')
export class DevicesController {
  constructor(private readonly translator: PolicyTranslator) {}

  @Get('devices/:mdmDeviceId')
  @ApiOperation({ summary: "A device's desired Exchange state" })
  @ApiResponse({ status: 404, description: 'DEVICE_NOT_FOUND' })
  device(@Param('tenant') tenant: string, @Param('mdmDeviceId') mdmDeviceId: string) {
    return this.translator.device(tenant, mdmDeviceId);
  }

  @Get('devices/:mdmDeviceId/explain')
  @ApiOperation({
    summary:
      "Why: the events received, the rule matched, the desired and Exchange's state, commands and results",
  })
  @ApiResponse({ status: 404, description: 'DEVICE_NOT_FOUND' })
  explain(@Param('tenant') tenant: string, @Param('mdmDeviceId') mdmDeviceId: string) {
    return this.translator.explain(tenant, mdmDeviceId);
  }

  @Post('auto-quarantine/sweep')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Quarantine now the devices no MDM reported past the grace period (otherwise periodic)',
  })
  async sweep(@Param('tenant') tenant: string) {
    return { commands: await this.translator.sweepAutoQuarantine(new Date(), tenant) };
  }
}
