//! The HTTP/1.1 server (hyper 1, no framework): routes each request, caps its body before
//! reading it, answers errors in the service's restJson1 shape, and streams an accepted turn's
//! frames as they are produced (one HTTP chunk per frame). SigV4 signatures are verified
//! (`super::auth`) once the capped body is read, before anything in it is used. Shutdown is graceful: on the
//! signal, no new connection is accepted, open requests finish, and turns whose caller went
//! away still finish and are saved before the process ends.

use super::engine::{Engine, ServeError, Streaming, fresh_hex};
use super::route::{self, ApiError, ErrorKind, MAX_BODY_BYTES, Route};
use super::stream::CONTENT_TYPE;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

type Body = BoxBody<Bytes, Infallible>;

/// A response body fed by the turn's channel: each frame is sent as soon as it is produced.
struct ChannelBody {
    frames: tokio::sync::mpsc::UnboundedReceiver<Bytes>,
}

impl hyper::body::Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.frames
            .poll_recv(cx)
            .map(|frame| frame.map(|bytes| Ok(Frame::data(bytes))))
    }
}

fn full(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()).boxed());
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

fn request_id(response: &mut Response<Body>, id: &str) {
    if let Ok(value) = id.parse() {
        response.headers_mut().insert("x-amzn-RequestId", value);
    }
}

/// The service's error shape: `x-amzn-ErrorType` and `{"message": …}`.
fn shaped_error(status: u16, shape: &str, body: String, id: &str) -> Response<Body> {
    let mut response = full(status, "application/json", body);
    if let Ok(value) = shape.parse() {
        response.headers_mut().insert("x-amzn-ErrorType", value);
    }
    request_id(&mut response, id);
    response
}

fn error_response(error: &ApiError, id: &str) -> Response<Body> {
    shaped_error(error.kind.status(), error.kind.shape(), error.body(), id)
}

fn streaming_response(streaming: Streaming, id: &str) -> Response<Body> {
    let mut response = Response::new(
        ChannelBody {
            frames: streaming.frames,
        }
        .boxed(),
    );
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    };
    set("content-type", CONTENT_TYPE);
    set("x-amzn-bedrock-agent-content-type", "application/json");
    set("x-amz-bedrock-agent-session-id", &streaming.session_id);
    if let Some(memory) = &streaming.memory_id {
        set("x-amz-bedrock-agent-memory-id", memory);
    }
    request_id(&mut response, id);
    response
}

/// Read the body, refusing one over the cap before reading it (by `Content-Length`) or as
/// soon as it passes the cap (a chunked body).
async fn read_body(body: Incoming, headers: &hyper::HeaderMap) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            ErrorKind::TooLarge,
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        )
    };
    let declared = headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(error) => Err(ApiError::validation(format!(
            "the request body could not be read: {error}"
        ))),
    }
}

async fn handle(engine: Arc<Engine>, request: Request<Incoming>) -> Response<Body> {
    let started = Instant::now();
    let id = fresh_hex(32);
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    let log = |template: &str, agent: &str, status: u16| {
        let name = match template {
            route::INVOKE_AGENT => "invoke_agent",
            "/healthz" => "healthz",
            "/metrics" => "metrics",
            _ => "unknown",
        };
        engine.metrics.request(name, status);
        engine.log(format!(
            "{method} {template} agent={agent} status={status} latency_ms={:.1}",
            started.elapsed().as_secs_f64() * 1000.0
        ));
    };
    let route = match route::route(&method, &path) {
        Ok(route) => route,
        Err(error) => {
            log("(no route)", "-", error.kind.status());
            engine.metrics.error(error.kind.shape());
            return error_response(&error, &id);
        }
    };
    match route {
        Route::Healthz => {
            log(route.template(), "-", 200);
            full(200, "text/plain", "ok\n")
        }
        Route::Metrics => {
            log(route.template(), "-", 200);
            full(200, super::metrics::CONTENT_TYPE, engine.metrics.render())
        }
        Route::InvokeAgent {
            ref agent_id,
            ref alias_id,
            ref session_id,
        } => {
            let template = route.template();
            let (parts, body) = request.into_parts();
            let bytes = match read_body(body, &parts.headers).await {
                Ok(bytes) => bytes,
                Err(error) => {
                    log(template, agent_id, error.kind.status());
                    engine.metrics.error(error.kind.shape());
                    return error_response(&error, &id);
                }
            };
            // The signature covers the body, so it is checked once the (capped) body is read
            // and before anything in it is looked at.
            let headers: Vec<(&str, &str)> = parts
                .headers
                .iter()
                .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
                .collect();
            let target = parts
                .uri
                .path_and_query()
                .map_or(path.as_str(), |p| p.as_str());
            let signed = super::auth::Request {
                method: &method,
                target,
                headers: &headers,
                body: &bytes,
            };
            if let Err(error) = engine.auth.check(&signed, std::time::SystemTime::now()) {
                let answer = super::service_error::ServiceError::from(&error);
                log(template, agent_id, answer.status);
                engine.metrics.error(answer.error_type);
                return shaped_error(answer.status, answer.error_type, answer.body(), &id);
            }
            let source_arn = parts
                .headers
                .get("x-amz-source-arn")
                .map(|v| v.to_str().unwrap_or_default());
            let result = match source_arn.map(route::check_source_arn).transpose() {
                Err(error) => Err(error),
                Ok(_) => match route::parse_body(&bytes) {
                    Ok(body) => {
                        engine
                            .invoke(agent_id, alias_id, session_id, body, started)
                            .await
                    }
                    Err(error) => Err(error),
                },
            };
            match result {
                // The turn logs its own line when it ends.
                Ok(streaming) => {
                    engine.metrics.request("invoke_agent", 200);
                    streaming_response(streaming, &id)
                }
                Err(error) => {
                    log(template, agent_id, error.kind.status());
                    engine.metrics.error(error.kind.shape());
                    error_response(&error, &id)
                }
            }
        }
    }
}

/// Bind the listener (port 0: a free port); its address is what `listening on` prints.
pub async fn bind(address: std::net::SocketAddr) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| ServeError::Listen {
            address: address.to_string(),
            message: e.to_string(),
        })
}

/// Serve until `shutdown` completes, then stop accepting, let open requests and running
/// turns finish, and return.
pub async fn serve(
    listener: tokio::net::TcpListener,
    engine: Arc<Engine>,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), ServeError> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(accepted) => accepted,
                    // A failed accept (a reset, too many open files) affects that one
                    // connection, not the server.
                    Err(_) => continue,
                };
                let _ = stream.set_nodelay(true);
                let engine = Arc::clone(&engine);
                let service = hyper::service::service_fn(move |request| {
                    let engine = Arc::clone(&engine);
                    async move { Ok::<_, Infallible>(handle(engine, request).await) }
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
    engine.wait_idle().await;
    Ok(())
}
