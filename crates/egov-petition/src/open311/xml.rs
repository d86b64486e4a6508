//! GeoReport v2's XML format: the same documents as the JSON ones, an object's members as
//! child elements and each list's items named after the list (`services` → `service`,
//! `service_requests` → `request`, …), as in the specification's examples.

use egov_core::Error;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::Value;

/// The element name of a list's items.
fn item_name(list: &str) -> &'static str {
    match list {
        "services" => "service",
        "service_requests" => "request",
        "attributes" => "attribute",
        "values" => "value",
        "endpoints" => "endpoint",
        "formats" => "format",
        _ => "item",
    }
}

/// `value` as an XML document whose root element is `root`.
pub fn document(root: &str, value: &Value) -> Result<String, Error> {
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
        .map_err(Error::internal)?;
    element(&mut w, root, value).map_err(Error::internal)?;
    String::from_utf8(w.into_inner()).map_err(Error::internal)
}

fn element(w: &mut Writer<Vec<u8>>, name: &str, value: &Value) -> std::io::Result<()> {
    let text = match value {
        Value::Null => return w.write_event(Event::Empty(BytesStart::new(name))),
        Value::Array(items) => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            let item = item_name(name);
            for v in items {
                element(w, item, v)?;
            }
            return w.write_event(Event::End(BytesEnd::new(name)));
        }
        Value::Object(members) => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            for (k, v) in members {
                element(w, k, v)?;
            }
            return w.write_event(Event::End(BytesEnd::new(name)));
        }
        Value::String(s) => xml_chars(s),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
    };
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::new(&text)))?;
    w.write_event(Event::End(BytesEnd::new(name)))
}

/// Characters XML 1.0 cannot carry even escaped (most C0 controls) become U+FFFD.
fn xml_chars(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c < ' ' && !matches!(c, '\t' | '\n' | '\r') {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_name_their_items_and_text_is_escaped() {
        let doc = document(
            "service_requests",
            &json!([{"service_request_id": "A-1", "description": "a < b & \"c\"\u{1}", "lat": 37.5,
                     "address": null, "extended_attributes": {"status": "submitted"}}]),
        )
        .expect("xml");
        assert!(
            doc.starts_with(r#"<?xml version="1.0" encoding="utf-8"?><service_requests><request>"#)
        );
        assert!(doc.contains("<description>a &lt; b &amp; &quot;c&quot;\u{fffd}</description>"));
        assert!(doc.contains("<address/>"));
        assert!(doc.contains("<lat>37.5</lat>"));
        assert!(
            doc.contains("<extended_attributes><status>submitted</status></extended_attributes>")
        );
        assert!(doc.ends_with("</request></service_requests>"));
    }

    #[test]
    fn nested_lists_follow_the_specification_names() {
        let doc = document(
            "service_definition",
            &json!({"service_code": "road", "attributes": [{"code": "problem", "values": [{"key": "k", "name": "n"}]}]}),
        )
        .expect("xml");
        assert!(
            doc.contains("<attributes><attribute><code>problem</code><values><value><key>k</key>")
        );
        let doc = document(
            "discovery",
            &json!({"endpoints": [{"formats": ["text/xml"]}]}),
        )
        .expect("xml");
        assert!(doc.contains("<endpoints><endpoint><formats><format>text/xml</format></formats></endpoint></endpoints>"));
    }
}
