import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { MdmComplianceStates } from '@easgate/contracts';
import { parseInput } from '@easgate/service-runtime';
import { z } from 'zod';
import { DesiredAccess, TranslatorError, TranslatorErrorCode } from '../domain';
import { PolicyTranslator } from '../policy-translator';
import { byParam } from '@easgate/identity';
import { Access } from '@easgate/service-runtime';

const DeviceListParams = z.strictObject({
  search: z.string().trim().min(1).max(320).optional(),
  state: z.enum(MdmComplianceStates).optional(),
  access: DesiredAccess.optional(),
  after: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** The list's page as the console reads it (documented so its API types carry it). */
const deviceListSchema = {
  type: 'object',
  required: ['tenant', 'total', 'devices'],
  properties: {
    tenant: { type: 'string' },
    total: { type: 'integer', description: 'devices matching the filters' },
    next: { type: 'string', description: 'pass as `after` for the next page; absent on the last page' },
    devices: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'mdmDeviceId',
          'mailbox',
          'easDeviceIds',
          'mdmState',
          'desiredAccess',
          'rule',
          'exchangeAccess',
          'lastCommand',
          'lastEventAt',
        ],
        properties: {
          mdmDeviceId: { type: 'string' },
          mailbox: { type: 'string' },
          easDeviceIds: { type: 'array', items: { type: 'string' } },
          platform: { type: 'string' },
          model: { type: 'string' },
          mdmState: { type: 'string', enum: [...MdmComplianceStates] },
          desiredAccess: { type: 'string', enum: DesiredAccess.options },
          rule: { type: 'string' },
          exchangeAccess: {
            type: 'array',
            items: {
              type: 'object',
              required: ['deviceId', 'accessState', 'onAllowList', 'onBlockList'],
              properties: {
                deviceId: { type: 'string' },
                accessState: {
                  type: 'string',
                  nullable: true,
                  description: "Exchange's, from the last inventory",
                },
                onAllowList: { type: 'boolean' },
                onBlockList: { type: 'boolean' },
              },
            },
          },
          lastCommand: {
            type: 'object',
            nullable: true,
            required: ['commandId', 'action', 'createdAt', 'outcome', 'error'],
            properties: {
              commandId: { type: 'string' },
              action: { type: 'string' },
              createdAt: { type: 'string' },
              outcome: {
                type: 'string',
                nullable: true,
                description: 'null while the executor has not answered',
              },
              error: { type: 'string', nullable: true },
            },
          },
          lastEventAt: { type: 'string' },
        },
      },
    },
  },
};

@ApiTags('devices')
@ApiBearerAuth()
@Controller('v1/tenants/:tenant')
export class DevicesController {
  constructor(private readonly translator: PolicyTranslator) {}

  @Get('devices')
  @Access('auditor', byParam('tenant'))
  @ApiOperation({
    summary:
      "The tenant's devices, paged (keyset `after`) and filtered: mailbox/device id prefix, MDM state, desired access",
  })
  @ApiQuery({ name: 'search', required: false, description: 'prefix of the mailbox (UPN) or MDM device id' })
  @ApiQuery({ name: 'state', required: false, enum: [...MdmComplianceStates] })
  @ApiQuery({ name: 'access', required: false, enum: DesiredAccess.options })
  @ApiQuery({ name: 'after', required: false, description: '`next` of the previous page' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1–200, default 50' })
  @ApiResponse({ status: 200, description: 'a page of devices', schema: deviceListSchema })
  @ApiResponse({
    status: 400,
    description: 'TRANSLATOR_INVALID_REQUEST: a filter is not one of the listed values',
  })
  list(@Param('tenant') tenant: string, @Query() query: unknown) {
    const params = parseInput(
      DeviceListParams,
      query ?? {},
      (issues) => new TranslatorError(TranslatorErrorCode.InvalidRequest, issues),
    );
    return this.translator.listDevices(tenant, params);
  }

  @Get('devices/:mdmDeviceId')
  @Access('auditor', byParam('tenant'))
  @ApiOperation({
    summary:
      "A device's desired Exchange state, and each wipe easgate asked for (`wipes`: requested, sent, acknowledged, failed, cancelled; what was sent and why)",
  })
  @ApiOperation({ summary: "A device's desired Exchange state" })
  @ApiResponse({ status: 404, description: 'TRANSLATOR_DEVICE_NOT_FOUND' })
  device(@Param('tenant') tenant: string, @Param('mdmDeviceId') mdmDeviceId: string) {
    return this.translator.device(tenant, mdmDeviceId);
  }

  @Get('devices/:mdmDeviceId/explain')
  @Access('auditor', byParam('tenant'))
  @ApiOperation({
    summary:
      "Why: the events received, the rule matched, the desired and Exchange's state, commands and results",
  })
  @ApiResponse({ status: 404, description: 'TRANSLATOR_DEVICE_NOT_FOUND' })
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
