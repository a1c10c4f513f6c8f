import { Global, Module, type DynamicModule, type FactoryProvider, type ModuleMetadata } from "@nestjs/common";
import { WS_ERRORS_OPTIONS, type WsErrorsModuleOptions } from "./options";

export interface WsErrorsModuleAsyncOptions extends Pick<ModuleMetadata, "imports"> {
  readonly useFactory: (...args: never[]) => WsErrorsModuleOptions | Promise<WsErrorsModuleOptions>;
  readonly inject?: FactoryProvider["inject"];
}

/**
 * Makes a Nest application's gateways speak a catalog: provides, to the whole application, the
 * options that {@link WsErrorsAdapter} and {@link WsErrorsExceptionFilter} (put on gateways by
 * `@WsErrorsGateway`) read.
 *
 * @example
 * ```ts
 * @Module({ imports: [WsErrorsModule.forRoot({ codec: collective2, policies: [apiKey({ from: { bearer: true }, verify })] })], providers: [SignalsGateway] })
 * class AppModule {}
 * ```
 */
@Global()
@Module({})
export class WsErrorsModule {
  static forRoot(options: WsErrorsModuleOptions): DynamicModule {
    return {
      module: WsErrorsModule,
      providers: [{ provide: WS_ERRORS_OPTIONS, useValue: options }],
      exports: [WS_ERRORS_OPTIONS],
    };
  }

  static forRootAsync(options: WsErrorsModuleAsyncOptions): DynamicModule {
    return {
      module: WsErrorsModule,
      imports: options.imports ?? [],
      providers: [{ provide: WS_ERRORS_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }],
      exports: [WS_ERRORS_OPTIONS],
    };
  }
}
