//! Rust names from wire names: `outRefundNo` → `out_refund_no`,
//! `REFUND_SUCCESS` → `RefundSuccess`, `refund_query` → `RefundQuery`.

use proc_macro2::{Ident, Span};

/// Splits a name into lower-case words at `_`, `-`, `.`, spaces and case
/// boundaries (`outRefundNo`, `HTTPStatus`, `refund_query`).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_numeric() || (prev.is_uppercase() && next_lower) {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// `UpperCamelCase`.
pub fn pascal(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_uppercase().chain(cs).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// `snake_case`.
pub fn snake(name: &str) -> String {
    words(name).join("_")
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// A field or module identifier, raw (`r#type`) for keywords.
pub fn field_ident(wire: &str) -> Result<Ident, String> {
    let s = snake(wire);
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return Err(format!("cannot make a Rust field name from {wire:?}"));
    }
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "cannot make an ASCII Rust field name from {wire:?}"
        ));
    }
    Ok(match s.as_str() {
        "self" | "super" | "crate" | "Self" => Ident::new(&format!("{s}_"), Span::call_site()),
        k if KEYWORDS.contains(&k) => Ident::new_raw(k, Span::call_site()),
        _ => Ident::new(&s, Span::call_site()),
    })
}

/// A type or variant identifier; names that do not start with a letter get
/// the `prefix`.
pub fn type_ident(name: &str, prefix: &str) -> Result<Ident, String> {
    let mut s = pascal(name);
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s = format!("{prefix}{s}");
    }
    if !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("cannot make an ASCII Rust type name from {name:?}"));
    }
    if s == "Self" {
        s.push('_');
    }
    Ok(Ident::new(&s, Span::call_site()))
}

/// Escapes text for rustdoc markdown, so doc text never turns into links,
/// HTML or emphasis by accident; URLs become autolinks (`<https://..>`),
/// as rustdoc warns on bare ones.
pub fn doc_text(text: &str) -> String {
    let text = text.trim();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("https://") || rest.starts_with("http://") {
            let end = rest
                .find(|c: char| {
                    c.is_whitespace() || !c.is_ascii() || matches!(c, '<' | '>' | '"' | '`')
                })
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':', ')', ']', '\'', '!', '?']);
            let scheme = if rest.starts_with("https://") { 8 } else { 7 };
            if url.len() > scheme {
                out.push('<');
                out.push_str(url);
                out.push('>');
                rest = &rest[url.len()..];
                continue;
            }
        }
        if matches!(
            c,
            '\\' | '[' | ']' | '<' | '>' | '*' | '_' | '`' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    // Each line of the source is a paragraph of its own (PayerMax's texts
    // break lines between points, never inside a sentence), so a numbered
    // point never swallows the next line as a lazy continuation.
    out.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("outRefundNo"), "out_refund_no");
        assert_eq!(snake("HTTPStatus"), "http_status");
        assert_eq!(snake("refund_query"), "refund_query");
        assert_eq!(pascal("REFUND_SUCCESS"), "RefundSuccess");
        assert_eq!(pascal("refund_query"), "RefundQuery");
        assert_eq!(pascal("keyVersion"), "KeyVersion");
        assert_eq!(pascal("v2.1"), "V21");
        assert_eq!(field_ident("type").unwrap().to_string(), "r#type");
        assert_eq!(type_ident("0", "Value").unwrap().to_string(), "Value0");
        assert!(field_ident("退款").is_err());
    }

    #[test]
    fn doc_escapes_markdown() {
        assert_eq!(
            doc_text(" see 【Refund [x] <b> a_b "),
            "see 【Refund \\[x\\] \\<b\\> a\\_b"
        );
        assert_eq!(
            doc_text(
                "see <https://x.example/a_b>, or http://y.example/p?q=1. 【http://z.example/】"
            ),
            "see \\<<https://x.example/a_b>\\>, or <http://y.example/p?q=1>. 【<http://z.example/>】"
        );
        assert_eq!(doc_text("https:// alone"), "https:// alone");
    }
}
