import { Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { AuditTrail } from '../application/audit-trail';
import { ExpiryScanner } from '../application/expiry-scanner';
import { MasterKeyRewrapper } from '../application/master-key-rewrapper';
import { Actor } from './actor.decorator';
import { AuditQueryParams } from './dtos';
import { ZodPipe } from './zod-body.pipe';
import { allTenants } from '@easgate/identity';
import { Access } from '@easgate/service-runtime';

const auditRecordSchema = {
  type: 'object',
  required: ['seq', 'at', 'actor', 'action', 'outcome', 'prevHash', 'hash'],
  properties: {
    seq: { type: 'integer' },
    at: { type: 'string' },
    actor: { type: 'string' },
    action: { type: 'string' },
    outcome: { type: 'string', enum: ['success', 'failure'] },
    tenantId: { type: 'string' },
    connectionId: { type: 'string' },
    certificateId: { type: 'string' },
    thumbprintSha1: { type: 'string' },
    reason: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
};

const chainVerificationSchema = {
  type: 'object',
  required: ['valid', 'checked'],
  properties: {
    valid: { type: 'boolean' },
    checked: { type: 'integer', description: 'rows checked' },
    brokenAt: { type: 'integer', description: 'the first row where the chain breaks' },
    problem: { type: 'string' },
  },
};

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
  @ApiOperation({
    summary:
      'Audit log rows (hash-chained), filtered; oldest first paged with afterSeq, or newest first (order=desc) paged with beforeSeq',
  })
  @ApiQuery({ name: 'tenantId', required: false, type: String })
  @ApiQuery({ name: 'connectionId', required: false, type: String })
  @ApiQuery({ name: 'certificateId', required: false, type: String })
  @ApiQuery({ name: 'action', required: false, type: String, description: 'e.g. certificate.import' })
  @ApiQuery({ name: 'actor', required: false, type: String, description: 'e.g. user:alice' })
  @ApiQuery({ name: 'outcome', required: false, enum: ['success', 'failure'] })
  @ApiQuery({ name: 'from', required: false, type: String, description: 'ISO 8601 instant, inclusive' })
  @ApiQuery({ name: 'to', required: false, type: String, description: 'ISO 8601 instant, exclusive' })
  @ApiQuery({ name: 'order', required: false, enum: ['asc', 'desc'] })
  @ApiQuery({ name: 'afterSeq', required: false, type: Number })
  @ApiQuery({ name: 'beforeSeq', required: false, type: Number })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1-1000, default 100' })
  @ApiResponse({ status: 200, description: 'The rows', schema: { type: 'array', items: auditRecordSchema } })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST: the query parameters at fault' })
  query(@Query(new ZodPipe(AuditQueryParams)) query: z.infer<typeof AuditQueryParams>) {
    return this.audit.query(query);
  }

  @Get('audit/verify')
  @Access('auditor', allTenants)
  @ApiOperation({ summary: 'Recompute the hash chain: {valid, checked, brokenAt?, problem?}' })
  @ApiResponse({ status: 200, description: 'The verdict', schema: chainVerificationSchema })
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
