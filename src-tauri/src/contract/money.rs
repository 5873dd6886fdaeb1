//! Planck amounts are u128 in Rust and decimal strings on the wire
//! (`planck_string`: a JS number cannot hold them). ts-rs already refuses a
//! `#[serde(with)]` field without `#[ts(type)]`; this test catches the other
//! mistake, a u128 in a contract type that skips `planck_string` and so would
//! go out as a JSON number (the contract maps large integers to `number`).

use std::path::Path;
use syn::{Field, Item, Type};

fn is_u128(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    let Some(last) = p.path.segments.last() else { return false };
    match (last.ident.to_string().as_str(), &last.arguments) {
        ("u128", _) => true,
        ("Option", syn::PathArguments::AngleBracketed(a)) => {
            a.args.iter().any(|g| matches!(g, syn::GenericArgument::Type(t) if is_u128(t)))
        }
        _ => false,
    }
}

fn derives_ts(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive") && a.meta.require_list().is_ok_and(|l| l.tokens.to_string().contains("TS"))
    })
}

fn fields_of(item: &Item) -> Vec<&Field> {
    match item {
        Item::Struct(s) if derives_ts(&s.attrs) => s.fields.iter().collect(),
        Item::Enum(e) if derives_ts(&e.attrs) => e.variants.iter().flat_map(|v| v.fields.iter()).collect(),
        _ => vec![],
    }
}

/// `dir/**/*.rs`, parsed, with their paths.
fn sources(dir: &Path, out: &mut Vec<(String, syn::File)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), syn::parse_file(&text).unwrap()));
        }
    }
}

/// The u128 fields of contract types in `file` that do not say how TypeScript sees them.
fn untyped_u128(file: &syn::File) -> Vec<String> {
    file.items
        .iter()
        .flat_map(fields_of)
        .filter(|f| is_u128(&f.ty) && !f.attrs.iter().any(|a| a.path().is_ident("ts")))
        .map(|f| f.ident.as_ref().map_or("(unnamed)".to_string(), |i| i.to_string()))
        .collect()
}

#[test]
fn every_planck_field_in_the_contract_is_a_string() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    sources(&root.join("../crates/dbc/src"), &mut files);
    let missing: Vec<_> = files
        .iter()
        .flat_map(|(path, file)| untyped_u128(file).into_iter().map(move |f| format!("{path}: {f}")))
        .collect();
    assert!(missing.is_empty(), "u128 fields without #[ts(type = \"string\")]: {missing:?}");
}

#[test]
fn a_bare_u128_is_found() {
    let file = syn::parse_quote! {
        #[derive(Serialize, ts_rs::TS)]
        struct Paid { #[ts(type = "string")] #[serde(with = "planck_string")] ok: u128, bare: Option<u128>, n: u64 }
        #[derive(Serialize)]
        struct NotInTheContract { other: u128 }
    };
    assert_eq!(untyped_u128(&file), ["bare"]);
}
