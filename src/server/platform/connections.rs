//! Accepting and serving connections with bounds a slow or hostile client cannot stretch. axum's own `serve` gives
//! hyper no timer, so a client sending its request head a byte at a time would hold a connection for ever
//! (slowloris). Here hyper gets a timer and `HEADER_READ_TIMEOUT_SECS`; at most `MAX_CONNECTIONS` connections are
//! open at once (the next waits in the kernel's backlog); [`deadline`] answers 408 to a request — body included —
//! not done in `REQUEST_TIMEOUT_SECS` (the mint runs, which wait for the chain, excepted). Shutdown stops
//! accepting, lets in-flight requests finish, and gives up on them after [`SHUTDOWN_GRACE`].
use crate::error::AppError;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::{Service, ServiceExt};

/// How long in-flight requests may take to finish once shutdown began.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Bounds on every connection (README, Configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    pub header_read: Duration,
    pub request: Duration,
    pub max_connections: usize,
}

/// Serves `app` on `listener` until `shutdown` resolves; every request carries its peer as `ConnectInfo`.
pub async fn serve<S>(
    listener: TcpListener,
    app: S,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = accept(&listener, &slots) => accepted,
            () = &mut shutdown => break,
        };
        let Some((stream, peer, slot)) = accepted else {
            continue;
        };
        let service = app
            .clone()
            .map_request(move |req: hyper::Request<Incoming>| {
                let mut req = req.map(axum::body::Body::new);
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the shutdown grace period; closing them");
    }
}

/// The next connection once a slot is free; `None` after a failed accept (logged, retried by the caller after a
/// pause, so running out of file descriptors does not spin).
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(
    tokio::net::TcpStream,
    SocketAddr,
    tokio::sync::OwnedSemaphorePermit,
)> {
    let slot = slots.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, peer)) => Some((stream, peer, slot)),
        Err(e) => {
            tracing::warn!(error = %e, "accepting a connection failed");
            tokio::time::sleep(Duration::from_millis(100)).await;
            None
        }
    }
}

/// How long a request may take, and the paths with bounds of their own (the mint runs, which wait for the chain
/// up to `MINT_TIMEOUT_SECS`).
#[derive(Clone)]
pub struct Deadline {
    pub limit: Duration,
    pub exempt: Arc<[&'static str]>,
}

/// 408 for a request not answered within the deadline — reading a slowly sent body included.
pub async fn deadline(
    axum::extract::State(deadline): axum::extract::State<Deadline>,
    req: Request,
    next: Next,
) -> Response {
    if deadline.exempt.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    match tokio::time::timeout(deadline.limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(path, "request timed out");
            metrics::counter!("refcodes_request_timeouts_total").increment(1);
            AppError::RequestTimeout.into_response()
        }
    }
}
