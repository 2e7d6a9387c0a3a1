import Hummingbird
import Logging

/// One `info` line per request that `mailroom preview` answers: method, path and status. The
/// query is left out (it may carry the access token, and searches are the reader's business);
/// Hummingbird's own request logger writes the whole URI, so it is not used here.
struct PreviewRequestLog<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        context.logger.info("preview request", metadata: [
            "http.method": "\(request.method)", "http.path": "\(request.uri.path)", "http.status": "\(response.status.code)",
        ])
        return response
    }
}
