//! All conversions between Python objects and reachgraph values.

use crate::error::{core_err, invalid, UnknownNodeError};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use reachgraph_api::load::{GraphSpec, IdList};
use reachgraph_core::sketch::SketchSet;
use reachgraph_core::{DuplicatePolicy, Graph, NodeKey};
use serde_json::Value;

/// Dense ids of a Python list of account ids (ints, strs, or a numpy integer array).
///
/// Unknown ids raise `UnknownNodeError` naming the id and its position; repeated ids raise
/// `DuplicateNodeError`.
pub fn resolve_ids(graph: &Graph, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u32>> {
    let unknown = |id: String, i: usize| {
        UnknownNodeError::new_err(format!(
            "unknown account id {id:?} ({what}, entry {})",
            i + 1
        ))
    };
    let find = |k: NodeKey, i: usize| graph.ids().get(&k).ok_or_else(|| unknown(k.to_string(), i));
    let mut out = Vec::new();
    if let Ok(arr) = obj.extract::<PyReadonlyArray1<'_, i64>>() {
        let view = arr.as_array();
        out.reserve(view.len());
        for (i, &v) in view.iter().enumerate() {
            out.push(find(NodeKey::Int(v), i)?);
        }
    } else if let Ok(arr) = obj.extract::<PyReadonlyArray1<'_, u64>>() {
        let view = arr.as_array();
        out.reserve(view.len());
        for (i, &v) in view.iter().enumerate() {
            out.push(find(NodeKey::from(v), i)?);
        }
    } else {
        if obj.is_instance_of::<PyString>() {
            return Err(invalid(format!(
                "{what} must be a list of ids, not a single string"
            )));
        }
        for (i, item) in obj.try_iter()?.enumerate() {
            out.push(find(py_key(&item?, what, i)?, i)?);
        }
    }
    graph.check_nodes(&out, what).map_err(core_err)?;
    Ok(out)
}

/// External ids of dense ids, as Python objects (ints stay ints).
pub fn labels<'py>(py: Python<'py>, graph: &Graph, ids: &[u32]) -> PyResult<Bound<'py, PyList>> {
    let items: Vec<Bound<'py, PyAny>> = ids
        .iter()
        .map(|&i| key_to_py(py, &graph.ids().key(i)))
        .collect::<PyResult<_>>()?;
    PyList::new(py, items)
}

/// A node key as a Python int or str.
pub fn key_to_py<'py>(py: Python<'py>, k: &NodeKey) -> PyResult<Bound<'py, PyAny>> {
    Ok(match k {
        NodeKey::Int(v) => v.into_pyobject(py)?.into_any(),
        NodeKey::UInt(v) => v.into_pyobject(py)?.into_any(),
        NodeKey::Str(s) => PyString::new(py, s).into_any(),
    })
}

/// A JSON value as plain Python objects (dict, list, int, float, str, bool, None).
pub fn json_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let items: Vec<Bound<'py, PyAny>> = a
                .iter()
                .map(|x| json_to_py(py, x))
                .collect::<PyResult<_>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Object(o) => {
            let d = PyDict::new(py);
            for (k, x) in o {
                d.set_item(k, json_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// Any serializable result as a Python dict (through its JSON form).
pub fn to_py<'py, T: serde::Serialize>(py: Python<'py>, v: &T) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(v)
        .map_err(|e| crate::error::ReachgraphError::new_err(format!("internal: {e}")))?;
    json_to_py(py, &value)
}

/// A numpy int64 or float32 array argument, checked for length.
pub fn check_len(name: &str, got: usize, want: usize) -> PyResult<()> {
    if got != want {
        return Err(crate::error::LengthMismatchError::new_err(format!(
            "{name} has {got} entries, expected {want}"
        )));
    }
    Ok(())
}

/// An id given from Python, by the core's id rule (`reachgraph_core::ids`): an int (Python or
/// numpy, of any size) is the id whose text is its decimal spelling, so `2**64 - 1` keeps its
/// value and `7` equals `"7"`; a str is read as a file's token is.
pub fn py_key(item: &Bound<'_, PyAny>, what: &str, i: usize) -> PyResult<NodeKey> {
    if let Ok(v) = item.extract::<i64>() {
        Ok(NodeKey::Int(v))
    } else if let Ok(v) = item.extract::<u64>() {
        Ok(NodeKey::from(v))
    } else if let Ok(s) = item.extract::<String>() {
        Ok(NodeKey::parse(&s))
    } else if let Ok(big) = item.call_method0("__index__") {
        // Beyond the integer range an int is still an id: the string of its digits.
        Ok(NodeKey::parse(&big.str()?.to_string()))
    } else {
        Err(invalid(format!(
            "{what} entry {} is neither an int nor a str: {}",
            i + 1,
            item.repr()?
        )))
    }
}

/// The ids of a numpy id array that is not int64 (so not read in place): uint64, whose ids at
/// or above 2^63 keep their value instead of wrapping to negative ones.
pub fn id_array_keys(a: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<NodeKey>> {
    if let Ok(arr) = a.extract::<PyReadonlyArray1<'_, i64>>() {
        return Ok(arr.as_array().iter().map(|&v| NodeKey::Int(v)).collect());
    }
    if let Ok(arr) = a.extract::<PyReadonlyArray1<'_, u64>>() {
        return Ok(arr.as_array().iter().map(|&v| NodeKey::from(v)).collect());
    }
    Err(invalid(format!(
        "{name} must be a numpy int64 or uint64 array"
    )))
}

/// An account id given from Python as the token a sketch set stores.
fn sketch_token(item: &Bound<'_, PyAny>, what: &str, i: usize) -> PyResult<String> {
    py_key(item, what, i).map(|k| k.to_string())
}

/// Ladder or pick steps as a list of dicts, each account as its external id.
pub fn sketch_steps<'py>(
    py: Python<'py>,
    set: &SketchSet,
    steps: &[reachgraph_core::sketch::SketchStep],
) -> PyResult<Bound<'py, PyAny>> {
    let v = to_py(py, &steps)?;
    let idx: Vec<u32> = steps.iter().map(|s| s.account).collect();
    let labels = sketch_labels(py, set, &idx)?;
    for (i, d) in v.try_iter()?.enumerate() {
        d?.set_item("account", labels.get_item(i)?)?;
    }
    Ok(v)
}

/// Indexes into a sketch set of a Python list of account ids (ints, strs, or a numpy integer
/// array). Unknown ids raise `UnknownNodeError` naming the id and position; repeats raise
/// `DuplicateNodeError`.
pub fn sketch_ids(set: &SketchSet, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u32>> {
    let tokens: Vec<String> = if let Ok(arr) = obj.extract::<PyReadonlyArray1<'_, i64>>() {
        arr.as_array().iter().map(i64::to_string).collect()
    } else if let Ok(arr) = obj.extract::<PyReadonlyArray1<'_, u64>>() {
        arr.as_array().iter().map(u64::to_string).collect()
    } else {
        if obj.is_instance_of::<PyString>() {
            return Err(invalid(format!(
                "{what} must be a list of ids, not a single string"
            )));
        }
        obj.try_iter()?
            .enumerate()
            .map(|(i, item)| sketch_token(&item?, what, i))
            .collect::<PyResult<_>>()?
    };
    let out = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            set.index_of(t).ok_or_else(|| {
                UnknownNodeError::new_err(format!(
                    "unknown account id {t:?} ({what}, entry {}): no sketch for this account",
                    i + 1
                ))
            })
        })
        .collect::<PyResult<Vec<u32>>>()?;
    set.check_indexes(&out, what).map_err(core_err)?;
    Ok(out)
}

/// Sketched account ids as Python objects: ids that read as integers become ints (as the
/// graph's labels do).
pub fn sketch_labels<'py>(
    py: Python<'py>,
    set: &SketchSet,
    idx: &[u32],
) -> PyResult<Bound<'py, PyList>> {
    let items: Vec<Bound<'py, PyAny>> = idx
        .iter()
        .map(|&i| key_to_py(py, &NodeKey::parse(set.account(i))))
        .collect::<PyResult<_>>()?;
    PyList::new(py, items)
}

/// Per-account costs of a sketch set (NaN: not for hire) from a dict `{id: cost}`, a float
/// array aligned with the set's accounts, or the path of a CSV with `id` and `cost` columns.
pub fn sketch_costs(set: &SketchSet, obj: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    if let Ok(path) = obj.extract::<String>() {
        let f = std::fs::File::open(&path).map_err(|e| {
            crate::error::ReachgraphIOError::new_err(format!("cannot open {path}: {e}"))
        })?;
        return set
            .read_costs(std::io::BufReader::new(f), &path)
            .map_err(core_err);
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut out = vec![f64::NAN; set.len()];
        for (i, (k, v)) in d.iter().enumerate() {
            let id = sketch_token(&k, "costs", i)?;
            let c: f64 = v.extract().map_err(|_| {
                crate::error::InvalidAttributeError::new_err(format!(
                    "cost of {id:?}: {} is not a number",
                    v.repr().map(|r| r.to_string()).unwrap_or_default()
                ))
            })?;
            let Some(a) = set.index_of(&id) else {
                return Err(UnknownNodeError::new_err(format!(
                    "unknown account id {id:?} (costs): no sketch for this account"
                )));
            };
            if !(c.is_finite() && c >= 0.0) {
                return Err(crate::error::InvalidAttributeError::new_err(format!(
                    "cost of {id:?}: {c} is not a finite number >= 0"
                )));
            }
            out[a as usize] = c;
        }
        return Ok(out);
    }
    if let Ok(arr) = obj.extract::<PyReadonlyArray1<'_, f64>>() {
        check_len("costs", arr.len()?, set.len())?;
        return Ok(arr.as_array().to_vec());
    }
    let arr: Vec<f64> = obj.extract().map_err(|_| {
        invalid("costs must be a dict {id: cost}, an array aligned with accounts(), or a CSV path")
    })?;
    check_len("costs", arr.len(), set.len())?;
    Ok(arr)
}

/// The duplicate-edge rule, spelled as on the command line (`noisy_or` also works).
pub fn policy(s: &str) -> PyResult<DuplicatePolicy> {
    s.parse().map_err(core_err)
}

/// Parses a snake_case enum name (`mode`, `algorithm`, `objective`) the way the JSON API does.
pub fn named<T: serde::de::DeserializeOwned>(value: &str, what: &str) -> PyResult<T> {
    serde_json::from_value(serde_json::Value::String(value.to_string()))
        .map_err(|e| invalid(format!("{what}={value:?}: {e}")))
}

/// The `graph` field of a request run on this module's graph in memory, which
/// `run_loaded` does not read.
pub fn in_memory() -> GraphSpec {
    GraphSpec::default()
}

/// The `seeds` field of a request whose seeds go to `run_loaded` as dense ids instead.
pub fn passed_apart() -> IdList {
    IdList::Inline(Vec::new())
}
