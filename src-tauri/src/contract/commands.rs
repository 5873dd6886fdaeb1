//! The command wrappers, read from the `#[tauri::command]` functions in
//! `src/commands/*.rs` (with `syn`): what the webview sends is exactly the
//! Rust signature, camelCased as Tauri expects it.

use std::fmt::Write;
use std::path::Path;
use syn::{FnArg, GenericArgument, Item, Pat, PathArguments, ReturnType, Type};

pub struct Command {
    pub name: String,
    pub doc: Vec<String>,
    /// camelCase name, TypeScript type, optional (an `Option` argument may be left out).
    pub args: Vec<(String, String, bool)>,
    pub result: String,
    /// Named types the signature uses (each must be declared).
    pub uses: Vec<String>,
}

/// Arguments Tauri fills in itself; the webview never sends them.
const INJECTED: &[&str] = &["State", "AppHandle", "Window", "WebviewWindow", "Webview"];

pub fn read(dir: &Path) -> Vec<Command> {
    let mut out = Vec::new();
    for ast in super::rust_files(dir) {
        for item in ast.items {
            let Item::Fn(f) = item else { continue };
            let is_command = f.attrs.iter().any(|a| {
                let segs: Vec<_> = a.path().segments.iter().map(|s| s.ident.to_string()).collect();
                segs == ["tauri", "command"]
            });
            if is_command {
                out.push(command(&f));
            }
        }
    }
    out
}

fn command(f: &syn::ItemFn) -> Command {
    let mut uses = Vec::new();
    let mut args = Vec::new();
    for input in &f.sig.inputs {
        let FnArg::Typed(pt) = input else { continue };
        if INJECTED.contains(&last_ident(&pt.ty).as_str()) {
            continue;
        }
        let Pat::Ident(name) = &*pt.pat else { panic!("{}: unnamed argument", f.sig.ident) };
        let optional = last_ident(&pt.ty) == "Option";
        args.push((camel(&name.ident.to_string()), ts(&pt.ty, &mut uses), optional));
    }
    let result = match &f.sig.output {
        ReturnType::Default => "void".to_string(),
        ReturnType::Type(_, ty) if last_ident(ty) == "Result" => ts(&generics(ty)[0], &mut uses),
        ReturnType::Type(_, ty) => ts(ty, &mut uses),
    };
    Command { name: f.sig.ident.to_string(), doc: doc_lines(&f.attrs), args, result, uses }
}

pub fn doc_lines(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn last_ident(ty: &Type) -> String {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default(),
        Type::Reference(r) => last_ident(&r.elem),
        _ => String::new(),
    }
}

fn generics(ty: &Type) -> Vec<Type> {
    let Type::Path(p) = ty else { return vec![] };
    let Some(PathArguments::AngleBracketed(a)) = p.path.segments.last().map(|s| &s.arguments) else { return vec![] };
    a.args
        .iter()
        .filter_map(|g| match g {
            GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// The TypeScript of a Rust type in a command signature.
fn ts(ty: &Type, uses: &mut Vec<String>) -> String {
    if let Type::Tuple(t) = ty {
        assert!(t.elems.is_empty(), "tuples are not part of the contract");
        return "void".into();
    }
    let name = last_ident(ty);
    let inner = |uses: &mut Vec<String>| ts(&generics(ty)[0], uses);
    match name.as_str() {
        "String" | "str" | "PathBuf" => "string".into(),
        "bool" => "boolean".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" | "f64" => "number".into(),
        "Option" => format!("{} | null", inner(uses)),
        "Vec" => format!("Array<{}>", inner(uses)),
        "Arc" | "Box" => inner(uses),
        "Channel" => format!("Channel<{}>", inner(uses)),
        // Checked in Rust (`parse_options`), or JSON prepared ahead (the market
        // list): the hand-written wrapper in ui/src/lib/ipc/ names the type.
        "Value" | "Response" => "unknown".into(),
        _ => {
            uses.push(name.clone());
            name
        }
    }
}

pub fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

pub fn jsdoc(doc: &[String], indent: &str) -> String {
    match doc {
        [] => String::new(),
        [one] => format!("{indent}/** {one} */\n"),
        lines => {
            let mut s = format!("{indent}/**\n");
            for l in lines {
                let _ = writeln!(s, "{indent} *{}{l}", if l.is_empty() { "" } else { " " });
            }
            s + &format!("{indent} */\n")
        }
    }
}

pub fn render(commands: &[Command], known: &dyn Fn(&str) -> bool) -> String {
    let mut s = String::from(
        "// --- Commands (the #[tauri::command] functions of src-tauri/src/commands/*.rs) ---\n\n\
         export const commands = {\n",
    );
    for c in commands {
        for u in &c.uses {
            assert!(
                known(u),
                "command `{}` uses `{u}`, which is not declared: add it to the roots in contract.rs",
                c.name
            );
        }
        s.push_str(&jsdoc(&c.doc, "  "));
        let camel_name = camel(&c.name);
        if c.args.is_empty() {
            let _ = writeln!(s, "  {camel_name}: (): Promise<{r}> => call<{r}>('{n}'),", r = c.result, n = c.name);
        } else {
            let fields: Vec<String> =
                c.args.iter().map(|(n, t, opt)| format!("{n}{}: {t}", if *opt { "?" } else { "" })).collect();
            let _ = writeln!(
                s,
                "  {camel_name}: (args: {{ {} }}): Promise<{r}> => call<{r}>('{n}', args),",
                fields.join("; "),
                r = c.result,
                n = c.name
            );
        }
    }
    s.push_str("} as const;\n\n");
    s
}
