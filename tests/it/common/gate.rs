//! An RPC gate for fault tests: a TCP proxy on loopback in front of a node (anvil) that passes every call or,
//! when told, accepts and never answers — every call, or only the sends (`eth_sendRawTransaction`) — or passes
//! the sends on and loses the node's answer to them (the send arrived; the sender cannot know). A stalled
//! connection stays stalled: what the client writes on it afterwards is swallowed too.
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Gate {
    Pass = 0,
    HangAll = 1,
    HangSends = 2,
    LoseSendAnswers = 3,
}

pub struct RpcGate {
    pub port: u16,
    mode: Arc<AtomicU8>,
    task: JoinHandle<()>,
}

impl RpcGate {
    /// In front of the node listening on `backend` (loopback), passing every call.
    pub async fn start(backend: u16) -> RpcGate {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(AtomicU8::new(Gate::Pass as u8));
        let shared = mode.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(forward(client, backend, shared.clone()));
            }
        });
        RpcGate { port, mode, task }
    }

    pub fn set(&self, gate: Gate) {
        self.mode.store(gate as u8, Ordering::SeqCst);
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for RpcGate {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward(client: TcpStream, backend: u16, mode: Arc<AtomicU8>) {
    let Ok(upstream) = TcpStream::connect(("127.0.0.1", backend)).await else {
        return;
    };
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_node, mut to_node) = upstream.into_split();
    let mute = Arc::new(AtomicBool::new(false));
    let muted = mute.clone();
    let answers = tokio::spawn(async move {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = from_node.read(&mut buf).await {
            if n == 0
                || (!muted.load(Ordering::SeqCst) && to_client.write_all(&buf[..n]).await.is_err())
            {
                break;
            }
        }
    });
    let mut buf = vec![0u8; 64 * 1024];
    let mut tail: Vec<u8> = Vec::new();
    let mut stalled = false;
    loop {
        let n = match from_client.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        // The method name may straddle two reads: look at the end of the last one too.
        tail.extend_from_slice(chunk);
        let sends = tail.windows(SEND.len()).any(|w| w == SEND);
        tail = tail[tail.len().saturating_sub(SEND.len())..].to_vec();
        match mode.load(Ordering::SeqCst) {
            m if m == Gate::HangAll as u8 => stalled = true,
            m if m == Gate::HangSends as u8 => stalled |= sends,
            m if m == Gate::LoseSendAnswers as u8 && sends => mute.store(true, Ordering::SeqCst),
            _ => {}
        }
        if !stalled && to_node.write_all(chunk).await.is_err() {
            break;
        }
    }
    answers.abort();
}

const SEND: &[u8] = b"eth_sendRawTransaction";
