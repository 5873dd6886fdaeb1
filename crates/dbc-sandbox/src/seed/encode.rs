//! Turn seed values into raw storage entries using only the runtime metadata:
//! keys through frame-decode's storage key encoder (the pallet/item prefix and
//! each key's hasher from the metadata), values as `scale_value::Value`s
//! encoded against the item's value type. No hand-written byte strings.
//!
//! Values may be partial: [`complete`] fills every field the seed leaves out
//! with its type's zero value (0, empty, `false`, the first enum variant), so
//! the seed names only what matters and a field added by a runtime upgrade
//! still encodes. A field name the type does not have is an error (typos).

use dbc::{Error, Result};
use scale_info::{form::PortableForm, PortableRegistry, TypeDef, TypeDefPrimitive};
use scale_value::{Composite, Value, ValueDef};
use std::collections::BTreeMap;
use subxt::metadata::Metadata;

/// Collects `(key, value)` storage pairs; a later set of the same key wins.
pub struct StorageWriter<'m> {
    md: &'m Metadata,
    entries: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl<'m> StorageWriter<'m> {
    pub fn new(md: &'m Metadata) -> Self {
        StorageWriter { md, entries: BTreeMap::new() }
    }

    pub fn metadata(&self) -> &Metadata {
        self.md
    }

    /// The full key of `pallet.entry[keys…]`.
    pub fn key(&self, pallet: &str, entry: &str, keys: Vec<Value>) -> Result<Vec<u8>> {
        subxt::ext::frame_decode::storage::encode_storage_key(pallet, entry, keys, self.md, self.md.types())
            .map_err(|e| Error::internal(format!("encoding the key of {pallet}.{entry}: {e}")))
    }

    /// SCALE bytes of `value` as `pallet.entry`'s value type (completed first).
    pub fn value(&self, pallet: &str, entry: &str, value: Value) -> Result<Vec<u8>> {
        use subxt::ext::frame_decode::storage::StorageTypeInfo;
        let info = self
            .md
            .storage_info(pallet, entry)
            .map_err(|e| Error::internal(format!("{pallet}.{entry} is not in the metadata: {e}")))?;
        let ty = info.value_id;
        let full =
            complete(self.md.types(), ty, value).map_err(|e| Error::internal(format!("{pallet}.{entry}: {e}")))?;
        let mut out = Vec::new();
        scale_value::scale::encode_as_type(&full, ty, self.md.types(), &mut out)
            .map_err(|e| Error::internal(format!("encoding the value of {pallet}.{entry}: {e}")))?;
        Ok(out)
    }

    /// Set `pallet.entry[keys…] = value`.
    pub fn set(&mut self, pallet: &str, entry: &str, keys: Vec<Value>, value: Value) -> Result<()> {
        let k = self.key(pallet, entry, keys)?;
        let v = self.value(pallet, entry, value)?;
        self.entries.insert(k, v);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn into_entries(self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.entries.into_iter().collect()
    }
}

/// `value` with every missing field of type `ty` filled with zeros.
pub fn complete(types: &PortableRegistry, ty: u32, value: Value) -> std::result::Result<Value, String> {
    let t = types.resolve(ty).ok_or_else(|| format!("type {ty} not in registry"))?;
    match (&t.type_def, value.value) {
        (TypeDef::Composite(c), ValueDef::Composite(Composite::Named(given))) => {
            let mut given: Vec<(String, Value)> = given;
            let mut out = Vec::new();
            for f in &c.fields {
                let name = f.name.clone().unwrap_or_default();
                let v = match given.iter().position(|(n, _)| *n == name) {
                    Some(i) => complete(types, f.ty.id, given.remove(i).1).map_err(|e| format!("{name}.{e}"))?,
                    None => zero(types, f.ty.id)?,
                };
                out.push((name, v));
            }
            if let Some((n, _)) = given.first() {
                return Err(format!("field `{n}` does not exist in {:?}", t.path.segments.last()));
            }
            Ok(Value::named_composite(out))
        }
        // A newtype (AccountId32, H256, Perbill, …) given its inner value directly.
        (TypeDef::Composite(c), other) if c.fields.len() == 1 && !is_single(&other) => {
            Ok(Value::unnamed_composite([complete(types, c.fields[0].ty.id, Value::without_context(other))?]))
        }
        (TypeDef::Variant(v), ValueDef::Variant(given)) => {
            let var =
                v.variants.iter().find(|x| x.name == given.name).ok_or_else(|| {
                    format!("variant `{}` does not exist in {:?}", given.name, t.path.segments.last())
                })?;
            let fields: Vec<Value> = match given.values {
                Composite::Unnamed(vals) => {
                    if vals.len() != var.fields.len() {
                        return Err(format!("variant `{}` takes {} fields", var.name, var.fields.len()));
                    }
                    vals.into_iter()
                        .zip(&var.fields)
                        .map(|(v, f)| complete(types, f.ty.id, v))
                        .collect::<std::result::Result<_, _>>()?
                }
                Composite::Named(_) => return Err(format!("give variant `{}` unnamed fields", var.name)),
            };
            Ok(Value::unnamed_variant(given.name, fields))
        }
        (TypeDef::Sequence(s), ValueDef::Composite(Composite::Unnamed(vals))) => Ok(Value::unnamed_composite(
            vals.into_iter()
                .map(|v| complete(types, s.type_param.id, v))
                .collect::<std::result::Result<Vec<_>, _>>()?,
        )),
        (_, other) => Ok(Value::without_context(other)),
    }
}

fn is_single(v: &ValueDef<()>) -> bool {
    matches!(v, ValueDef::Composite(c) if c.len() == 1)
}

/// The zero value of a type.
pub fn zero(types: &PortableRegistry, ty: u32) -> std::result::Result<Value, String> {
    let t = types.resolve(ty).ok_or_else(|| format!("type {ty} not in registry"))?;
    Ok(match &t.type_def {
        TypeDef::Composite(c) => composite_zero(types, &c.fields)?,
        TypeDef::Variant(v) => {
            let first = v.variants.first().ok_or("an enum without variants")?;
            match composite_zero(types, &first.fields)?.value {
                ValueDef::Composite(values) => Value::variant(first.name.clone(), values),
                _ => unreachable!(),
            }
        }
        TypeDef::Sequence(_) | TypeDef::BitSequence(_) => Value::unnamed_composite(Vec::<Value>::new()),
        TypeDef::Array(a) => Value::unnamed_composite(
            (0..a.len).map(|_| zero(types, a.type_param.id)).collect::<std::result::Result<Vec<_>, _>>()?,
        ),
        TypeDef::Tuple(tu) => Value::unnamed_composite(
            tu.fields.iter().map(|f| zero(types, f.id)).collect::<std::result::Result<Vec<_>, _>>()?,
        ),
        TypeDef::Compact(c) => zero(types, c.type_param.id)?,
        TypeDef::Primitive(p) => match p {
            TypeDefPrimitive::Bool => Value::bool(false),
            TypeDefPrimitive::Str => Value::string(""),
            TypeDefPrimitive::Char => Value::char('\0'),
            TypeDefPrimitive::I8
            | TypeDefPrimitive::I16
            | TypeDefPrimitive::I32
            | TypeDefPrimitive::I64
            | TypeDefPrimitive::I128
            | TypeDefPrimitive::I256 => Value::i128(0),
            _ => Value::u128(0),
        },
    })
}

fn composite_zero(
    types: &PortableRegistry,
    fields: &[scale_info::Field<PortableForm>],
) -> std::result::Result<Value, String> {
    if fields.iter().all(|f| f.name.is_some()) && !fields.is_empty() {
        Ok(Value::named_composite(
            fields
                .iter()
                .map(|f| Ok((f.name.clone().unwrap_or_default(), zero(types, f.ty.id)?)))
                .collect::<std::result::Result<Vec<_>, String>>()?,
        ))
    } else {
        Ok(Value::unnamed_composite(
            fields.iter().map(|f| zero(types, f.ty.id)).collect::<std::result::Result<Vec<_>, _>>()?,
        ))
    }
}

// Small builders the seed modules use.

/// A u8/u32/u64/u128 number.
pub fn n(x: impl Into<u128>) -> Value {
    Value::u128(x.into())
}
/// `Vec<u8>` / `[u8; N]` / newtypes over them.
pub fn bytes(b: impl AsRef<[u8]>) -> Value {
    Value::from_bytes(b)
}
/// A struct with named fields (missing ones are zero-filled by [`complete`]).
pub fn record<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::named_composite(fields.into_iter().map(|(k, v)| (k.to_string(), v)))
}
/// An enum variant with unnamed fields.
pub fn variant<const N: usize>(name: &str, fields: [Value; N]) -> Value {
    Value::unnamed_variant(name, fields)
}
/// A `Vec<T>`.
pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
    Value::unnamed_composite(items.into_iter().collect::<Vec<_>>())
}
