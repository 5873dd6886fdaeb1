//! The node's authority check against the chain (nrs:634-777): who may act on
//! this machine's VMs, and the `check authority failed: …` texts when no one may.

use serde_json::Value;

use super::super::auth::check_nonce;
use super::values::is_digits;
use super::{reply, NodeReq, Sim, E_DEFAULT};

/// Machine status as the node's chain client maps `machineStatus` (`hcc:125-141`).
enum MachineClass {
    Verify,
    Online,
    Rented,
    Unknown,
}

fn classify(status: &str) -> MachineClass {
    match status {
        "DistributingOrder" | "CommitteeVerifying" | "CommitteeRefused" => MachineClass::Verify,
        "WaitingFulfill" | "Online" => MachineClass::Online,
        "Creating" | "Rented" => MachineClass::Rented,
        _ => MachineClass::Unknown,
    }
}

impl Sim {
    /// The renter wallet, or the node's error reply.
    pub(super) async fn check_authority(&self, req: &NodeReq) -> Result<String, Value> {
        let fail = |why: &str| reply(E_DEFAULT, format!("check authority failed: {why}"));
        let machine = match self.chain.machine(&req.machine_id).await {
            Ok(Some(m)) => m,
            _ => return Err(fail("query machine_status failed")),
        };
        // UpdateRentOrder: refresh the cached order (kept when the chain drops it).
        let order_id: Option<u64> = if is_digits(&req.rent_order) { req.rent_order.parse().ok() } else { None };
        let order = match order_id {
            Some(id) => match self.chain.rent_order(id).await {
                Ok(Some(o)) => {
                    self.state.lock().unwrap().orders.insert(id, o.clone());
                    Some(o)
                }
                _ => None,
            },
            None => None,
        };
        let wallet_ok = check_nonce(&req.wallet, &req.nonce, &req.sign).is_ok();
        match classify(&machine.machine_status) {
            MachineClass::Unknown => Err(fail("unknown machine status")),
            MachineClass::Online => Err(fail("machine is not be rented")),
            MachineClass::Verify => {
                if !wallet_ok {
                    Err(fail("nonce check failed"))
                } else {
                    // Committee verification is not simulated.
                    Err(fail("not in verify time"))
                }
            }
            MachineClass::Rented => {
                if !wallet_ok {
                    if !req.session_id.is_empty() && !req.session_id_sign.is_empty() {
                        return Err(fail("session_id is invalid"));
                    }
                    return Err(fail("nonce check failed"));
                }
                // GetRentStatus: renter string-equal, status renting or waitingVerifying.
                // Stricter than 0.4.1.8, which does not compare the order's machine.
                let renting = order.as_ref().is_some_and(|o| {
                    o.renter == req.wallet
                        && o.machine_id == req.machine_id
                        && matches!(o.rent_status.as_str(), "WaitingVerifying" | "Renting")
                });
                if renting {
                    Ok(req.wallet.clone())
                } else {
                    Err(fail("wallet not rented"))
                }
            }
        }
    }
}
