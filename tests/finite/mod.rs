//! A serde serializer that only checks that every float is finite: JSON
//! writes NaN and infinities as `null`, so serializing to JSON cannot tell.

use serde::ser::{self, Serialize};
use std::fmt;

/// The path-less error: which non-finite value was found.
#[derive(Debug)]
pub struct NotFinite(pub String);

impl fmt::Display for NotFinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for NotFinite {}
impl ser::Error for NotFinite {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        NotFinite(msg.to_string())
    }
}

/// `Ok` when every `f32`/`f64` inside `value` is finite.
pub fn all_finite<T: Serialize>(value: &T) -> Result<(), NotFinite> {
    value.serialize(&mut Finite)
}

struct Finite;

macro_rules! ok {
    ($($name:ident($ty:ty)),*) => { $(fn $name(self, _: $ty) -> Result<(), NotFinite> { Ok(()) })* };
}
macro_rules! compound {
    ($($tr:ident :: $method:ident),*) => {$(
        impl ser::$tr for &mut Finite {
            type Ok = ();
            type Error = NotFinite;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), NotFinite> {
                value.serialize(&mut Finite)
            }
            fn end(self) -> Result<(), NotFinite> { Ok(()) }
        }
    )*};
}
compound!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for &mut Finite {
    type Ok = ();
    type Error = NotFinite;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), NotFinite> {
        key.serialize(&mut Finite)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), NotFinite> {
        value.serialize(&mut Finite)
    }
    fn end(self) -> Result<(), NotFinite> {
        Ok(())
    }
}
macro_rules! fields {
    ($($tr:ident),*) => {$(
        impl ser::$tr for &mut Finite {
            type Ok = ();
            type Error = NotFinite;
            fn serialize_field<T: ?Sized + Serialize>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), NotFinite> {
                match value.serialize(&mut Finite) {
                    // A hazard ratio's upper bound is infinite, by design,
                    // for a fit that cannot bound it (`HazardRatio::ci_upper`,
                    // printed as null, read back as NaN).
                    Err(e) if key == "ci_upper" && e.0.starts_with("= ") => Ok(()),
                    r => r.map_err(|e| NotFinite(format!("{key}.{}", e.0))),
                }
            }
            fn end(self) -> Result<(), NotFinite> {
                Ok(())
            }
        }
    )*};
}
fields!(SerializeStruct, SerializeStructVariant);

impl ser::Serializer for &mut Finite {
    type Ok = ();
    type Error = NotFinite;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;
    ok!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8])
    );
    fn serialize_f32(self, v: f32) -> Result<(), NotFinite> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), NotFinite> {
        if v.is_finite() {
            Ok(())
        } else {
            Err(NotFinite(format!("= {v}")))
        }
    }
    fn serialize_none(self) -> Result<(), NotFinite> {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), NotFinite> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), NotFinite> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), NotFinite> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), NotFinite> {
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), NotFinite> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), NotFinite> {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, NotFinite> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, NotFinite> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, NotFinite> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, NotFinite> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, NotFinite> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, NotFinite> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, NotFinite> {
        Ok(self)
    }
}

#[test]
fn the_checker_finds_a_nan_that_json_hides() {
    #[derive(serde::Serialize)]
    struct Inner {
        x: Option<f64>,
    }
    #[derive(serde::Serialize)]
    struct Outer {
        ok: Vec<f64>,
        inner: Inner,
    }
    let bad = Outer {
        ok: vec![1.0],
        inner: Inner { x: Some(f64::NAN) },
    };
    assert_eq!(
        serde_json::to_string(&bad).unwrap(),
        r#"{"ok":[1.0],"inner":{"x":null}}"#
    );
    assert_eq!(all_finite(&bad).unwrap_err().0, "inner.x.= NaN");
    let good = Outer {
        ok: vec![1.0, -0.0],
        inner: Inner { x: None },
    };
    assert!(all_finite(&good).is_ok());
}
