//! Test values of the rental records, one of each, so the tests of every
//! rental module build them the same way and say only what they vary.

use super::record::{PendingCall, PendingTx, Rental, Stage, VmFacts};
use crate::chain::rent::{OrderStatus, RentOrder};

/// Rental `id` of account "a" on machine "m1" (1 GPU, 600 blocks) at
/// `stage`, with nothing else known yet.
pub fn rental(id: &str, stage: Stage) -> Rental {
    Rental::new(id.into(), "a".into(), "m1".into(), 1, 600, stage, 1)
}

/// A running VM created through the client at `client_url`.
pub fn vm(client_url: &str) -> VmFacts {
    VmFacts {
        client_url: client_url.into(),
        task_id: "t".into(),
        image: "w".into(),
        rdp_port: 1,
        vnc_port: 2,
        status: "running".into(),
        host: None,
        user: None,
        plan: None,
        gpu_check: None,
    }
}

/// Order `rent_id` of 1 GPU of `machine` from `start` to `end`, confirmed
/// 10 blocks after its start when `status` is `Renting`.
pub fn order(rent_id: u64, machine: &str, start: u32, end: u32, status: OrderStatus) -> RentOrder {
    RentOrder {
        rent_id,
        machine_id: machine.into(),
        renter: String::new(),
        rent_start: start,
        confirmed_at: (status == OrderStatus::Renting).then_some(start + 10),
        rent_end: end,
        stake_amount: 5,
        status,
        gpu_num: 1,
        gpu_index: vec![0],
    }
}

/// `call` signed at block `signed_at` with `nonce`, valid for 64 blocks.
pub fn pending(call: PendingCall, nonce: u64, signed_at: u32) -> PendingTx {
    PendingTx {
        call,
        bytes: "00".into(),
        extrinsic_hash: "0x01".into(),
        nonce,
        fee_estimate: 1,
        signed_at_block: signed_at,
        valid_until: Some(signed_at + 64),
    }
}
