import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { z } from 'zod';
import { Certificates } from '../application/certificates';
import { Actor } from './actor.decorator';
import {
  ActivateBody,
  CertificateFileBody,
  CreateCertificateBody,
  ImportCertificateBody,
  RetireBody,
  ValidateStoredBody,
} from './dtos';
import { ZodPipe, openApiSchema } from './zod-body.pipe';
import { noTenant, resolvedBy } from '@easgate/identity';
import { Access } from '@easgate/service-runtime';

/** Certificates of a tenant connection. Responses carry metadata only: never a key, a password or a PFX. */
@ApiTags('certificates')
@ApiBearerAuth()
@Controller('v1')
export class CertificatesController {
  constructor(@Inject(Certificates) private readonly certificates: Certificates) {}

  @Post('certificates/validate')
  @Access('operator', noTenant)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Validate a PFX (base64 + password) or PEM without keeping it (easgate cert validate --json)',
  })
  @ApiBody({ schema: openApiSchema(CertificateFileBody) })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST: neither a PFX with its password nor a PEM' })
  @ApiResponse({
    status: 422,
    description: 'CERTIFICATE_REJECTED (the auth library error code in the message)',
  })
  validateFile(@Body(new ZodPipe(CertificateFileBody)) body: z.infer<typeof CertificateFileBody>) {
    return this.certificates.validateFile(body);
  }

  @Get('tenant-connections/:connectionId/certificates')
  @Access('auditor', resolvedBy('connection', 'connectionId'))
  @ApiOperation({ summary: 'Certificates of a connection (metadata: thumbprints, subject, dates, status)' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND' })
  list(@Param('connectionId') connectionId: string) {
    return this.certificates.list(connectionId);
  }

  @Post('tenant-connections/:connectionId/certificates')
  @Access('operator', resolvedBy('connection', 'connectionId'))
  @ApiOperation({ summary: 'Create a self-signed certificate inside the vault (pending unless activate)' })
  @ApiBody({ schema: openApiSchema(CreateCertificateBody) })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST: the fields at fault' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND' })
  create(
    @Param('connectionId') connectionId: string,
    @Body(new ZodPipe(CreateCertificateBody)) body: z.infer<typeof CreateCertificateBody>,
    @Actor() actor: string,
  ) {
    return this.certificates.create(connectionId, body, actor);
  }

  @Post('tenant-connections/:connectionId/certificates/import')
  @Access('operator', resolvedBy('connection', 'connectionId'))
  @ApiOperation({ summary: 'Import a PFX (base64 + password) or PEM; validated, then stored encrypted' })
  @ApiBody({ schema: openApiSchema(ImportCertificateBody) })
  @ApiResponse({
    status: 422,
    description: 'CERTIFICATE_REJECTED (the auth library error code in the message)',
  })
  @ApiResponse({ status: 409, description: 'CERTIFICATE_EXISTS' })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST: the fields at fault' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND' })
  import(
    @Param('connectionId') connectionId: string,
    @Body(new ZodPipe(ImportCertificateBody)) body: z.infer<typeof ImportCertificateBody>,
    @Actor() actor: string,
  ) {
    const { activate, ...file } = body;
    return this.certificates.import(connectionId, file, actor, activate ?? false);
  }

  @Get('tenant-connections/:connectionId/certificates/:certificateId')
  @Access('auditor', resolvedBy('connection', 'connectionId'))
  @ApiOperation({ summary: 'One certificate (metadata only)' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND or CERTIFICATE_NOT_FOUND' })
  get(@Param('connectionId') connectionId: string, @Param('certificateId') certificateId: string) {
    return this.certificates.get(connectionId, certificateId);
  }

  @Post('tenant-connections/:connectionId/certificates/:certificateId/validate')
  @Access('operator', resolvedBy('connection', 'connectionId'))
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-validate a stored certificate; live: also request an Exchange token with it' })
  @ApiBody({ schema: openApiSchema(ValidateStoredBody) })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND or CERTIFICATE_NOT_FOUND' })
  validate(
    @Param('connectionId') connectionId: string,
    @Param('certificateId') certificateId: string,
    @Body(new ZodPipe(ValidateStoredBody)) body: z.infer<typeof ValidateStoredBody>,
    @Actor() actor: string,
  ) {
    return this.certificates.validateStored(connectionId, certificateId, body.live ?? false, actor);
  }

  @Post('tenant-connections/:connectionId/certificates/:certificateId/activate')
  @Access('operator', resolvedBy('connection', 'connectionId'))
  @HttpCode(200)
  @ApiOperation({ summary: 'Make it the active certificate; the previous one retires after overlapHours' })
  @ApiBody({ schema: openApiSchema(ActivateBody) })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND or CERTIFICATE_NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'INVALID_CERTIFICATE_STATE: retired, expired or not yet valid' })
  activate(
    @Param('connectionId') connectionId: string,
    @Param('certificateId') certificateId: string,
    @Body(new ZodPipe(ActivateBody)) body: z.infer<typeof ActivateBody>,
    @Actor() actor: string,
  ) {
    return this.certificates.activate(connectionId, certificateId, actor, body.overlapHours, body.reason);
  }

  @Post('tenant-connections/:connectionId/certificates/:certificateId/retire')
  @Access('operator', resolvedBy('connection', 'connectionId'))
  @HttpCode(200)
  @ApiOperation({ summary: 'Retire a certificate (the vault stops signing with it)' })
  @ApiBody({ schema: openApiSchema(RetireBody) })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND or CERTIFICATE_NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'INVALID_CERTIFICATE_STATE' })
  async retire(
    @Param('connectionId') connectionId: string,
    @Param('certificateId') certificateId: string,
    @Body(new ZodPipe(RetireBody)) body: z.infer<typeof RetireBody>,
    @Actor() actor: string,
  ) {
    const connection = await this.certificates.connection(connectionId);
    return this.certificates.retire(connection.id, certificateId, actor, body.reason);
  }

  @Get('tenant-connections/:connectionId/certificates/:certificateId/public.cer')
  @Access('auditor', resolvedBy('connection', 'connectionId'))
  @ApiOperation({ summary: 'The public certificate, DER (.cer) — what the Entra portal accepts' })
  @ApiProduces('application/pkix-cert')
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND or CERTIFICATE_NOT_FOUND' })
  async downloadCer(
    @Param('connectionId') connectionId: string,
    @Param('certificateId') certificateId: string,
    @Res() res: Response,
  ): Promise<void> {
    const cert = await this.certificates.publicCertificate(connectionId, certificateId);
    res
      .status(200)
      .set({
        'content-type': 'application/pkix-cert',
        'content-disposition': `attachment; filename="${cert.thumbprintSha1}.cer"`,
      })
      .send(cert.der);
  }

  @Get('tenant-connections/:connectionId/certificates/:certificateId/public.pem')
  @Access('auditor', resolvedBy('connection', 'connectionId'))
  @ApiOperation({ summary: 'The public certificate, PEM' })
  @ApiProduces('application/x-pem-file')
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND or CERTIFICATE_NOT_FOUND' })
  async downloadPem(
    @Param('connectionId') connectionId: string,
    @Param('certificateId') certificateId: string,
    @Res() res: Response,
  ): Promise<void> {
    const cert = await this.certificates.publicCertificate(connectionId, certificateId);
    res
      .status(200)
      .set({
        'content-type': 'application/x-pem-file',
        'content-disposition': `attachment; filename="${cert.thumbprintSha1}.pem"`,
      })
      .send(cert.pem);
  }
}
