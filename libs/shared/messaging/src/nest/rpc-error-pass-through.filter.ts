import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter turns every unknown error into "Internal server error", losing its
 * `code` and `retriable`. This filter hands the original error to the delivery pipeline, which
 * decides between retry and dead letter.
 */
@Catch()
export class RpcErrorPassThroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
