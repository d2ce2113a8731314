import {
  type DynamicModule,
  Inject,
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  RequestMethod,
} from '@nestjs/common';
import { Outbox } from '@easgate/messaging';
import { PeriodicTask, type ServiceContext } from '@easgate/service-runtime';
import { type TranslatorConfig, translatorConfigFrom } from './config';
import { ExchangeInventoryHandler } from './handlers/exchange-inventory.handler';
import { ExchangeResultHandler } from './handlers/exchange-result.handler';
import { MdmComplianceHandler } from './handlers/mdm-compliance.handler';
import { DevicesController } from './http/devices.controller';
import { mdmEventsBodyParser } from './http/mdm-events.body-parser';
import { MdmEventsController } from './http/mdm-events.controller';
import { RulesController } from './http/rules.controller';
import { TranslatorRepository } from './infra/translator.repository';
import { PolicyTranslator } from './policy-translator';

const TRANSLATOR_CONFIG = Symbol('TRANSLATOR_CONFIG');
const SERVICE_CONTEXT = Symbol('SERVICE_CONTEXT');

/** Runs the auto-quarantine sweep periodically while the service runs. */
@Injectable()
class AutoQuarantineSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sweep: PeriodicTask;

  constructor(
    translator: PolicyTranslator,
    @Inject(TRANSLATOR_CONFIG) config: TranslatorConfig,
    @Inject(SERVICE_CONTEXT) context: ServiceContext,
  ) {
    this.sweep = new PeriodicTask(
      'auto-quarantine sweep',
      config.sweepIntervalMs,
      () => translator.sweepAutoQuarantine(),
      context.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.sweep.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweep.stop();
  }
}

@Module({})
export class PolicyTranslatorModule implements NestModule {
  /** The ingestion route takes the CloudEvents media types (batch mode) with its own size limit. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(mdmEventsBodyParser()).forRoutes({ path: 'v1/mdm/events', method: RequestMethod.POST });
  }

  static forService(context: ServiceContext): DynamicModule {
    const config = translatorConfigFrom(context.env);
    return {
      module: PolicyTranslatorModule,
      controllers: [
        MdmComplianceHandler,
        ExchangeInventoryHandler,
        ExchangeResultHandler,
        RulesController,
        DevicesController,
        MdmEventsController,
      ],
      providers: [
        { provide: TRANSLATOR_CONFIG, useValue: config },
        { provide: SERVICE_CONTEXT, useValue: context },
        {
          provide: PolicyTranslator,
          useFactory: (outbox: Outbox) =>
            new PolicyTranslator(context.database, new TranslatorRepository(), outbox, config),
          inject: [Outbox],
        },
        AutoQuarantineSweeper,
      ],
    };
  }
}
