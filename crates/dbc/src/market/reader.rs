//! Storage reads at one block, in as few round trips as possible.
//!
//! Why not subxt's `at_block(..).storage()`: pinning a block costs a
//! `Core_version` runtime call every time (a wasm execution: ~250 ms under
//! chopsticks), and its map iteration fetches keys and values page by page,
//! one after the other. Here the runtime version comes from
//! `state_getRuntimeVersion` (a lookup), the metadata is cached per chain and
//! spec version, map keys are listed with `state_getKeysPaged` (1,000 a page)
//! or built locally from the metadata (`MachineRentedGPU[id]` needs no
//! listing once the ids are known), and values come in concurrent batches of
//! `state_queryStorageAt`. Keys and values are still encoded and decoded from
//! the runtime's metadata by name, so storage of newer runtimes is used where
//! it exists.

use crate::chain::client::ChainClient;
use crate::error::Result;
use futures::future::try_join_all;
use scale_decode::DecodeAsType;
use scale_value::Value;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use subxt::config::substrate::{SpecVersionForRange, H256};
use subxt::events::Events;
use subxt::ext::frame_decode::storage::{
    decode_storage_key, encode_storage_key, encode_storage_key_prefix, IntoEncodableValues,
};
use subxt::{ArcMetadata, Metadata, SubstrateConfig};

/// Keys per `state_getKeysPaged` page: the most a Substrate node serves.
const PAGE: u32 = 1000;
/// The most keys one map may list: far above DBC's (a few thousand
/// machines), low enough that a hostile node cannot make us page forever.
pub const MAX_KEYS: usize = 200_000;
/// Keys per `state_queryStorageAt` request; the batches of one read run
/// concurrently. Small enough for a public node's response size limit.
const BATCH: usize = 500;

/// Metadata by (genesis, spec version): fetched once per runtime, never
/// changes for a given pair.
static METADATA: LazyLock<Mutex<HashMap<(H256, u32), ArcMetadata>>> = LazyLock::new(Default::default);

/// Reads storage at one block.
pub(crate) struct BlockReader<'c> {
    client: &'c ChainClient,
    pub number: u32,
    pub hash: H256,
    pub spec_version: u32,
    transaction_version: u32,
    metadata: ArcMetadata,
}

impl<'c> BlockReader<'c> {
    /// A reader at block `hash` (number `number`): its runtime version, and
    /// the metadata of that runtime (fetched on first sight of it).
    pub async fn new(client: &'c ChainClient, number: u32, hash: H256) -> Result<BlockReader<'c>> {
        let v = client
            .rpc()
            .state_get_runtime_version(Some(hash))
            .await
            .map_err(|e| client.rpc_error("state_getRuntimeVersion", e))?;
        let metadata = metadata_for(client, hash, v.spec_version).await?;
        Ok(BlockReader {
            client,
            number,
            hash,
            spec_version: v.spec_version,
            transaction_version: v.transaction_version,
            metadata,
        })
    }

    /// Whether this runtime has storage `pallet.entry`.
    pub fn has_entry(&self, pallet: &str, entry: &str) -> bool {
        self.metadata.pallet_by_name(pallet).and_then(|p| p.storage()).and_then(|s| s.entry_by_name(entry)).is_some()
    }

    /// The full key of `pallet.entry[keys]` (`()` for a plain value), hashed
    /// as the metadata says.
    pub fn key(&self, pallet: &str, entry: &str, keys: impl IntoEncodableValues) -> Result<Vec<u8>> {
        encode_storage_key(pallet, entry, keys, &*self.metadata, self.metadata.types())
            .map_err(|e| self.client.rpc_error(&format!("encoding a {pallet}.{entry} key"), e))
    }

    /// The first key part of a map key (e.g. the `MachineId` of a
    /// `MachinesInfo` key), when the hasher keeps it (`Blake2_128Concat`).
    pub fn key_part<T: DecodeAsType>(&self, pallet: &str, entry: &str, key: &[u8]) -> Option<T> {
        let decoded = decode_storage_key(pallet, entry, &mut &key[..], &*self.metadata, self.metadata.types()).ok()?;
        let part = decoded.parts().next()?.value()?;
        T::decode_as_type(&mut &key[part.range()], *part.ty(), self.metadata.types()).ok()
    }

    /// Every key of map `pallet.entry`, page by page.
    pub async fn all_keys(&self, pallet: &str, entry: &str) -> Result<Vec<Vec<u8>>> {
        let prefix = encode_storage_key_prefix(pallet, entry);
        let mut out: Vec<Vec<u8>> = Vec::new();
        loop {
            let page = self
                .client
                .rpc()
                .state_get_keys_paged(&prefix, PAGE, out.last().map(Vec::as_slice), Some(self.hash))
                .await
                .map_err(|e| self.client.rpc_error(&format!("listing {pallet}.{entry}"), e))?;
            let full = page.len() == PAGE as usize;
            // Each page must start after the last key and stay in the map:
            // a node that repeats or wanders would otherwise be followed forever.
            if !page_advances(out.last().map(Vec::as_slice), &page, &prefix) {
                return Err(self.client.rpc_error(
                    &format!("listing {pallet}.{entry}"),
                    "the node's key pages do not advance within the map",
                ));
            }
            out.extend(page);
            if out.len() > MAX_KEYS {
                return Err(crate::chain::reply_too_large(
                    self.client.endpoint(),
                    &format!("{pallet}.{entry}"),
                    MAX_KEYS,
                ));
            }
            if !full {
                return Ok(out);
            }
        }
    }

    /// The values of `keys`, in their order (`None`: not stored), in
    /// concurrent batches.
    pub async fn values(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        let batches = try_join_all(keys.chunks(BATCH).map(|chunk| async move {
            let sets = self
                .client
                .rpc()
                .state_query_storage_at(chunk.iter().map(Vec::as_slice), Some(self.hash))
                .await
                .map_err(|e| self.client.rpc_error("state_queryStorageAt", e))?;
            let mut found: HashMap<Vec<u8>, Vec<u8>> = HashMap::with_capacity(chunk.len());
            for set in sets {
                for (k, v) in set.changes {
                    if let Some(v) = v {
                        found.insert(k.0, v.0);
                    }
                }
            }
            Ok::<_, crate::Error>(chunk.iter().map(|k| found.remove(k)).collect::<Vec<_>>())
        }))
        .await?;
        Ok(batches.into_iter().flatten().collect())
    }

    /// Decode a value of `pallet.entry` by its metadata type.
    pub fn decode(&self, pallet: &str, entry: &str, bytes: &[u8]) -> Result<Value> {
        let what = || format!("decoding {pallet}.{entry}");
        let ty = self
            .metadata
            .pallet_by_name(pallet)
            .and_then(|p| p.storage())
            .and_then(|s| s.entry_by_name(entry))
            .map(|e| e.value_ty())
            .ok_or_else(|| self.client.rpc_error(&what(), "not in this runtime's metadata"))?;
        Value::decode_as_type(&mut &bytes[..], ty, self.metadata.types()).map_err(|e| self.client.rpc_error(&what(), e))
    }

    /// Decode an optional value; a value that does not decode is logged and
    /// skipped (one odd entry must not hide the whole market).
    pub fn decode_opt(&self, pallet: &str, entry: &str, bytes: Option<&Vec<u8>>) -> Option<Value> {
        let bytes = bytes?;
        self.decode(pallet, entry, bytes).inspect_err(|e| tracing::warn!("{}", e.message)).ok()
    }

    /// The block's events (`System.Events`), decoded lazily by subxt.
    pub async fn events(&self) -> Result<Events<SubstrateConfig>> {
        let key = encode_storage_key_prefix("System", "Events");
        let bytes = self.values(&[key.to_vec()]).await?.pop().flatten().unwrap_or_else(|| vec![0]);
        let n = u64::from(self.number);
        let config = SubstrateConfig::builder()
            .set_spec_version_for_block_ranges([SpecVersionForRange {
                block_range: n..n + 1,
                spec_version: self.spec_version,
                transaction_version: self.transaction_version,
            }])
            .set_metadata_for_spec_versions([(self.spec_version, self.metadata.clone())])
            .build();
        let at = subxt::client::OfflineClient::new_with_config(config)
            .at_block(n)
            .map_err(|e| self.client.rpc_error("reading the block's events", e))?;
        Ok(at.events().from_bytes(bytes))
    }
}

/// Fetch and cache the metadata of the best block's runtime now, so that the
/// first [`super::load_all`] does not wait for it (connection set-up).
pub async fn prefetch_metadata(client: &ChainClient) -> Result<()> {
    let (number, hash) = client.best_block().await?;
    BlockReader::new(client, number, hash).await.map(drop)
}

/// The metadata of runtime `spec_version`, from the cache or the node.
async fn metadata_for(client: &ChainClient, hash: H256, spec_version: u32) -> Result<ArcMetadata> {
    let key = (client.genesis_hash(), spec_version);
    if let Some(m) = METADATA.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(m.clone());
    }
    let raw = client
        .rpc()
        .state_get_metadata(Some(hash))
        .await
        .map_err(|e| client.rpc_error("state_getMetadata", e))?
        .into_raw();
    let metadata: ArcMetadata =
        Arc::new(Metadata::decode_from(&raw).map_err(|e| client.rpc_error("decoding the runtime metadata", e))?);
    METADATA.lock().unwrap_or_else(|e| e.into_inner()).insert(key, metadata.clone());
    Ok(metadata)
}

/// A page of keys after `last` is sound when it starts past `last` and every
/// key is in the map (`prefix`).
fn page_advances(last: Option<&[u8]>, page: &[Vec<u8>], prefix: &[u8]) -> bool {
    let starts_after = match (page.first(), last) {
        (Some(first), Some(last)) => first.as_slice() > last,
        _ => true,
    };
    starts_after && page.iter().all(|k| k.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_pages_must_advance_inside_the_map() {
        let p = b"pp".to_vec();
        let k = |n: u8| vec![b'p', b'p', n];
        assert!(page_advances(None, &[k(1), k(2)], &p));
        assert!(page_advances(Some(&k(2)), &[k(3)], &p));
        assert!(page_advances(Some(&k(2)), &[], &p));
        assert!(!page_advances(Some(&k(2)), &[k(2), k(3)], &p), "a repeated page would loop forever");
        assert!(!page_advances(Some(&k(5)), &[k(3)], &p), "a page going back");
        assert!(!page_advances(None, &[k(1), b"zz".to_vec()], &p), "a key outside the map");
    }
}
