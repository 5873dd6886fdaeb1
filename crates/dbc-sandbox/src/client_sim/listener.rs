//! One simulated DBC client: an HTTP listener over the simulator's nodes,
//! seeing all of them or a part ([`NodeView`]), that can be stopped and
//! started again on the same port (a client that goes away and comes back).
//!
//! Several listeners share one set of nodes, as real DBC clients share the
//! network's nodes: a VM created through one is the same VM through
//! another that sees its node. A client that does not see a node answers
//! every call addressed to it as the real client does for a node missing
//! from its `mining_nodes` view ("create node request failed",
//! compute-api.md §1.4.10), and leaves it out of its node list.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dbc::error::{Error, ErrorCode, Result};
use tokio::task::JoinHandle;

use super::node::Sim;

/// Which nodes a simulated client sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeView {
    /// Every node (the practice network's first client).
    All,
    /// The machines whose id's first hex digit is a multiple of `k`: client
    /// `k` (≥ 2) of the practice network. Client 2 sees the ids starting
    /// 0, 2, 4, …, e; client 3 those starting 0, 3, 6, 9, c, f.
    Part(u32),
}

impl NodeView {
    /// The view of the practice network's client `k` (1-based).
    pub fn of_client(k: usize) -> NodeView {
        if k <= 1 {
            NodeView::All
        } else {
            NodeView::Part(k as u32)
        }
    }

    pub fn sees(&self, machine_id: &str) -> bool {
        match self {
            NodeView::All => true,
            NodeView::Part(k) => {
                let digit = machine_id.trim_start_matches("0x").chars().next().and_then(|c| c.to_digit(16));
                digit.is_some_and(|d| d % (*k).max(1) == 0)
            }
        }
    }
}

/// What a listener's requests need to know about the client they reach.
#[derive(Debug, Clone)]
pub(crate) struct Face {
    pub view: NodeView,
    /// Milliseconds every answer waits (a client farther away).
    pub delay_ms: Arc<AtomicU64>,
}

struct Running {
    shutdown: tokio::sync::oneshot::Sender<()>,
    server: JoinHandle<()>,
}

/// A simulated DBC client's listener on 127.0.0.1.
pub struct ClientListener {
    sim: Arc<Sim>,
    addr: SocketAddr,
    face: Face,
    running: Mutex<Option<Running>>,
}

impl ClientListener {
    /// Listen on 127.0.0.1:`port` (0: a free one) over `sim`'s nodes.
    pub(crate) async fn bind(sim: Arc<Sim>, port: u16, view: NodeView) -> Result<ClientListener> {
        let listener = bind(port).await?;
        let addr = listener.local_addr().map_err(|e| Error::new(ErrorCode::Io, e.to_string()))?;
        let face = Face { view, delay_ms: Arc::new(AtomicU64::new(0)) };
        let l = ClientListener { sim, addr, face, running: Mutex::new(None) };
        l.serve(listener);
        Ok(l)
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = super::http::router(self.sim.clone(), self.face.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        *self.running.lock().unwrap() = Some(Running { shutdown: tx, server });
    }

    /// `http://127.0.0.1:<port>` (the same after a restart).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn view(&self) -> NodeView {
        self.face.view
    }

    pub fn is_running(&self) -> bool {
        self.running.lock().unwrap().is_some()
    }

    /// Make every answer wait `d` (a client farther away than the others).
    pub fn set_answer_delay(&self, d: Duration) {
        self.face.delay_ms.store(d.as_millis() as u64, Ordering::Relaxed);
    }

    /// Stop listening: new connections are refused from now on; a request
    /// under way gets at most `grace` to finish.
    pub async fn stop(&self, grace: Duration) {
        let Some(r) = self.running.lock().unwrap().take() else { return };
        let _ = r.shutdown.send(());
        let mut server = r.server;
        if tokio::time::timeout(grace, &mut server).await.is_err() {
            server.abort();
            let _ = server.await;
        }
        tracing::info!(addr = %self.addr, "simulated DBC client stopped");
    }

    /// Listen again on the same port (waits up to 5 s for the port to be free).
    pub async fn start(&self) -> Result<()> {
        if self.is_running() {
            return Ok(());
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let listener = loop {
            match bind(self.addr.port()).await {
                Ok(l) => break l,
                Err(e) if tokio::time::Instant::now() >= deadline => return Err(e),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        self.serve(listener);
        tracing::info!(addr = %self.addr, "simulated DBC client listening again");
        Ok(())
    }

    /// Stop at once (no grace), for drops.
    pub(crate) fn abort(&self) {
        if let Some(r) = self.running.lock().unwrap().take() {
            let _ = r.shutdown.send(());
            r.server.abort();
        }
    }
}

impl Drop for ClientListener {
    fn drop(&mut self) {
        self.abort();
    }
}

async fn bind(port: u16) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| Error::new(ErrorCode::Io, format!("client simulator cannot listen on 127.0.0.1:{port}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_k_sees_the_ids_whose_first_digit_is_a_multiple_of_k() {
        let id = |c: char| format!("{c}{}", "1".repeat(63));
        assert!("0123456789abcdef".chars().all(|c| NodeView::of_client(1).sees(&id(c))));
        let two: String = "0123456789abcdef".chars().filter(|c| NodeView::of_client(2).sees(&id(*c))).collect();
        assert_eq!(two, "02468ace");
        let three: String = "0123456789abcdef".chars().filter(|c| NodeView::of_client(3).sees(&id(*c))).collect();
        assert_eq!(three, "0369cf");
        assert!(NodeView::of_client(2).sees("0xa1") && !NodeView::of_client(2).sees("0xb1"));
        assert!(!NodeView::of_client(2).sees(""), "no id, no node");
    }
}
