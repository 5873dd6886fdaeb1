//! One rental as the journal keeps it: what was asked, what the chain and
//! the DBC client answered, and where the flow stands.
//!
//! The stage says which external action comes next or is in flight; a
//! transaction in flight is kept as its signed bytes ([`PendingTx`]) so a
//! restart can find out whether the chain took it, and if it cannot tell,
//! send the very same bytes again (same nonce: taken at most once).

use crate::chain::rent::{confirm_deadline, RentOrder};
use serde::{Deserialize, Serialize};

/// Where a rental's flow stands. Serialized kebab-case for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum Stage {
    /// `rent_machine` signed and journaled; its result not seen yet.
    Placing,
    /// The order waits for confirmation; no VM requested yet.
    Placed,
    /// VM creation requested through a DBC client (task id journaled).
    VmCreating,
    /// The VM runs; the renter checks it, then confirms.
    VmReady,
    /// `confirm_rent` signed and journaled; its result not seen yet.
    Confirming,
    /// Confirmed and paid; runs until `rent_end` (renewable).
    Renting,
    /// Ended at `rent_end`.
    Ended,
    /// Not confirmed within 150 blocks: rent refunded, order fee kept.
    Lapsed,
    /// Never placed (the transaction failed or was refused): nothing reserved.
    Failed,
}

impl Stage {
    /// The order is (or may be) live on chain.
    pub fn is_live(self) -> bool {
        !matches!(self, Stage::Ended | Stage::Lapsed | Stage::Failed)
    }

    /// Before confirmation: the confirm window applies.
    pub fn awaits_confirm(self) -> bool {
        matches!(self, Stage::Placed | Stage::VmCreating | Stage::VmReady | Stage::Confirming)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Placing => "placing",
            Stage::Placed => "placed",
            Stage::VmCreating => "vm-creating",
            Stage::VmReady => "vm-ready",
            Stage::Confirming => "confirming",
            Stage::Renting => "renting",
            Stage::Ended => "ended",
            Stage::Lapsed => "lapsed",
            Stage::Failed => "failed",
        }
    }
}

/// Which call a [`PendingTx`] carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[derive(ts_rs::TS)]
pub enum PendingCall {
    Rent,
    Confirm,
    /// `old_end`: the order's `rent_end` before; a larger one means it landed.
    Relet {
        blocks: u32,
        old_end: u32,
    },
}

/// A signed transaction written down before it was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct PendingTx {
    #[serde(flatten)]
    pub call: PendingCall,
    /// The signed extrinsic, hex. Public once broadcast; holds no secret.
    pub bytes: String,
    pub extrinsic_hash: String,
    pub nonce: u64,
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub fee_estimate: u128,
    /// The best block when it was signed: an order it placed starts later.
    pub signed_at_block: u32,
    /// The last block it can be included in (its mortality ends): past it,
    /// with its nonce unused at a finalized block, it can never land.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<u32>,
}

/// The on-chain facts of a placed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct OrderFacts {
    pub rent_id: u64,
    pub rent_start: u32,
    pub rent_end: u32,
    /// The last block `confirm_rent` is accepted in.
    pub confirm_deadline: u32,
    /// From the `Rent` event.
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub reserved: u128,
    /// `FixedTxFee` when placed (kept by the chain even if the order lapses).
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub order_fee: u128,
    pub confirmed_at: Option<u32>,
    /// Rent paid so far (confirm + renewals), planck.
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub paid: u128,
}

impl OrderFacts {
    pub fn from_order(o: &RentOrder, reserved: u128, order_fee: u128) -> Self {
        OrderFacts {
            rent_id: o.rent_id,
            rent_start: o.rent_start,
            rent_end: o.rent_end,
            confirm_deadline: confirm_deadline(o.rent_start),
            reserved,
            order_fee,
            confirmed_at: o.confirmed_at,
            paid: 0,
        }
    }
}

/// The VM created for the order through a DBC client. The login password
/// is not kept here: it is read from the client when needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct VmFacts {
    /// The DBC client the VM was created through; later operations use it.
    pub client_url: String,
    /// Chosen by us before the request, so a timed-out create is found, not repeated.
    pub task_id: String,
    pub image: String,
    pub rdp_port: u16,
    pub vnc_port: u16,
    /// Last status the client reported (`creating`, `running`, `closed`, …).
    pub status: String,
    /// `ssh_ip` once known.
    pub host: Option<String>,
    pub user: Option<String>,
    /// The whole request as sent: after a crash the same plan (same task
    /// id) goes again, which the node never turns into a second VM.
    pub plan: Option<crate::compute::plan::VmPlan>,
    /// The last GPU check of a Linux VM (`nvidia-smi` in the VM against the
    /// rented GPUs), kept to be shown in My rentals. A new VM starts without.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub gpu_check: Option<crate::ssh::GpuCheck>,
}

/// One rental in the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Rental {
    /// Local id: unique in the journal before the chain gives a rent id.
    pub id: String,
    /// SS58 address of the renter.
    pub account: String,
    pub machine_id: String,
    pub gpus: u32,
    /// Duration asked for, blocks (the chain may cap it).
    pub blocks: u32,
    /// The quote shown when placing (rent, order fee, fee estimate).
    pub quote: Option<crate::market::Quote>,
    pub stage: Stage,
    pub order: Option<OrderFacts>,
    pub vm: Option<VmFacts>,
    pub pending: Option<PendingTx>,
    /// The last error met, for the UI to explain (`code`, `message`).
    pub last_error: Option<crate::Error>,
    /// The newest block the journal has read this rental's order at. A read
    /// from an older block (a lagging node, a failover) changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<u32>,
    /// The block a lapsed or ended rental stopped at (its confirm deadline,
    /// or its end), for the UI to say "lapsed at block N"; `None` while live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<u32>,
    /// Unix seconds.
    pub created_at: u64,
    pub updated_at: u64,
}

impl Rental {
    /// A rental of `gpus` GPUs of `machine_id` for `blocks` by `account`, at
    /// `stage`, known at Unix second `at`; order, VM, pending call, quote and
    /// error are filled in by whoever learns them.
    pub fn new(
        id: String,
        account: String,
        machine_id: String,
        gpus: u32,
        blocks: u32,
        stage: Stage,
        at: u64,
    ) -> Rental {
        Rental {
            id,
            account,
            machine_id,
            gpus,
            blocks,
            quote: None,
            stage,
            order: None,
            vm: None,
            pending: None,
            last_error: None,
            seen_at: None,
            closed_at: None,
            created_at: at,
            updated_at: at,
        }
    }

    pub fn rent_id(&self) -> Option<u64> {
        self.order.as_ref().map(|o| o.rent_id)
    }

    /// The id a person knows the rental by: its rent id once the chain gave
    /// one, the local id before.
    pub fn shown_id(&self) -> String {
        self.rent_id().map(|n| n.to_string()).unwrap_or_else(|| self.id.clone())
    }
}
