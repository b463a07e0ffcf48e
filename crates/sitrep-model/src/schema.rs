//! JSON Schemas (OpenAPI 3.1 dialect) of the answer types, generated from their
//! definitions: [`answer_struct!`](crate::answer_struct) defines a struct and, from
//! the same field list, its [`Schema`] — property names, types (through each field
//! type's own [`Schema`]), descriptions from the doc comments, `required` for the
//! fields that are not `Option`, and `#[serde(flatten)]` fields as `allOf`. The
//! server's OpenAPI document takes its component schemas from here, so the document
//! cannot describe a field an answer does not have, or miss one it has.
//!
//! ```
//! use sitrep_model::schema::Schema;
//! let s = sitrep_model::Counts::schema();
//! assert_eq!(s["properties"]["fatalities_high"]["type"], serde_json::json!(["integer", "null"]));
//! assert!(s["required"].as_array().unwrap().contains(&"incidents".into()));
//! ```

use serde_json::{json, Value};

/// A type with a JSON Schema.
pub trait Schema {
    /// True when the value may be `null` (an `Option`): not a required property.
    const NULLABLE: bool = false;
    /// The schema.
    fn schema() -> Value;
}

macro_rules! scalar {
    ($($t:ty => $s:expr),* $(,)?) => {
        $(impl Schema for $t {
            fn schema() -> Value {
                $s
            }
        })*
    };
}

scalar! {
    String => json!({"type": "string"}),
    bool => json!({"type": "boolean"}),
    i32 => json!({"type": "integer", "format": "int32"}),
    i64 => json!({"type": "integer", "format": "int64"}),
    u32 => json!({"type": "integer", "format": "int32", "minimum": 0}),
    u64 => json!({"type": "integer", "format": "int64", "minimum": 0}),
    f64 => json!({"type": "number", "format": "double"}),
    chrono::NaiveDate => json!({"type": "string", "format": "date"}),
}

impl<T: Schema> Schema for Option<T> {
    const NULLABLE: bool = true;
    fn schema() -> Value {
        let mut s = T::schema();
        match s.get("type").cloned() {
            Some(Value::String(t)) => {
                s["type"] = json!([t, "null"]);
                s
            }
            _ => json!({"anyOf": [s, {"type": "null"}]}),
        }
    }
}

impl<T: Schema> Schema for Vec<T> {
    fn schema() -> Value {
        json!({"type": "array", "items": T::schema()})
    }
}

/// Builds an object schema from its fields: (name, schema, nullable, flattened,
/// doc lines). Used by [`answer_struct!`](crate::answer_struct).
#[doc(hidden)]
pub fn object(fields: Vec<(&str, Value, bool, bool, &[&str])>) -> Value {
    let mut props = serde_json::Map::new();
    let mut required: Vec<Value> = Vec::new();
    let mut all_of: Vec<Value> = Vec::new();
    for (name, mut s, nullable, flatten, doc) in fields {
        if flatten {
            all_of.push(s);
            continue;
        }
        let text = doc.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            s["description"] = text.into();
        }
        if !nullable {
            required.push(name.into());
        }
        props.insert(name.to_string(), s);
    }
    let own = json!({"type": "object", "properties": props, "required": required});
    if all_of.is_empty() {
        own
    } else {
        all_of.push(own);
        json!({"allOf": all_of})
    }
}

/// Defines a struct and its [`Schema`] from one field list. Every field is `pub`,
/// may carry doc comments (its description) and one `#[serde(...)]` attribute
/// (`flatten` puts the field's schema in an `allOf`).
///
/// ```
/// use sitrep_model::schema::Schema;
/// sitrep_model::answer_struct! {
///     /// A place and its count.
///     #[derive(Debug, serde::Serialize)]
///     pub struct Example {
///         /// The place.
///         pub place: Option<String>,
///         /// Incidents.
///         pub n: i64,
///     }
/// }
/// let s = Example::schema();
/// assert_eq!(s["required"], serde_json::json!(["n"]));
/// assert_eq!(s["properties"]["place"]["description"], "The place.");
/// ```
#[macro_export]
macro_rules! answer_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $(#[serde($($serde:tt)*)])?
                pub $field:ident : $ty:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[doc = $doc])*
                $(#[serde($($serde)*)])?
                pub $field: $ty,
            )*
        }

        impl $crate::schema::Schema for $name {
            fn schema() -> ::serde_json::Value {
                $crate::schema::object(vec![
                    $((
                        stringify!($field),
                        <$ty as $crate::schema::Schema>::schema(),
                        <$ty as $crate::schema::Schema>::NULLABLE,
                        stringify!($($($serde)*)?).contains("flatten"),
                        &[$($doc),*] as &[&str],
                    ),)*
                ])
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::answer_struct! {
        /// Test.
        #[derive(Debug, Clone, serde::Serialize)]
        pub struct Inner {
            /// A count.
            pub n: i64,
        }
    }

    crate::answer_struct! {
        #[derive(Debug, Clone, serde::Serialize)]
        pub struct Outer {
            /// The day.
            pub day: chrono::NaiveDate,
            /// Numbers.
            #[serde(flatten)]
            pub inner: Inner,
            pub tags: Vec<String>,
            /// Maybe.
            pub maybe: Option<f64>,
        }
    }

    #[test]
    fn fields_types_docs_required_and_flatten() {
        let s = Outer::schema();
        assert_eq!(s["allOf"][0], Inner::schema());
        let own = &s["allOf"][1];
        assert_eq!(own["required"], json!(["day", "tags"]));
        assert_eq!(
            own["properties"]["day"],
            json!({"type": "string", "format": "date", "description": "The day."})
        );
        assert_eq!(
            own["properties"]["tags"]["items"],
            json!({"type": "string"})
        );
        assert_eq!(
            own["properties"]["maybe"]["type"],
            json!(["number", "null"])
        );
        assert!(own["properties"].get("inner").is_none());
        // The served value has exactly the documented keys.
        let v = serde_json::to_value(Outer {
            day: chrono::NaiveDate::from_ymd_opt(2021, 8, 15).unwrap(),
            inner: Inner { n: 1 },
            tags: vec![],
            maybe: None,
        })
        .unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["day", "maybe", "n", "tags"]);
    }
}
