//! The two differs every target plans with: [`diff_fields`] compares one resource field by
//! field, [`diff_keyed`] matches a desired collection against the remote one by key.

use super::{Action, FieldChange, ResourceChange, ResourceKind};
use serde::Serialize;
use serde_json::{Map, Value};

/// A resource as named fields. A field holding a one-key object (an enum variant such as
/// `executor: {lambda: ARN}` or `schema: {openapi: TEXT}`) becomes `executor.lambda`, so that
/// texts inside render as texts.
pub fn as_object(value: &impl Serialize) -> Map<String, Value> {
    let Ok(Value::Object(map)) = serde_json::to_value(value) else {
        return Map::new();
    };
    map.into_iter()
        .map(|(key, value)| match value {
            Value::Object(inner) if inner.len() == 1 => {
                let (variant, inner) = inner.into_iter().next().unwrap_or_default();
                (format!("{key}.{variant}"), inner)
            }
            other => (key, other),
        })
        .collect()
}

/// Field-level difference of two resources (see [`as_object`]); `null` and `[]` count as
/// absent. Fields come in the new resource's order, then the ones only the old one has.
pub fn diff_fields(old: &impl Serialize, new: &impl Serialize) -> Vec<FieldChange> {
    diff_objects(&as_object(old), &as_object(new))
}

/// Every field of a resource about to be created.
pub fn creation_fields(new: &impl Serialize) -> Vec<FieldChange> {
    diff_objects(&Map::new(), &as_object(new))
}

/// [`diff_fields`] over objects already split into fields, for planners that adjust them
/// (drop a field the spec leaves to the service) before comparing.
pub fn diff_objects(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<FieldChange> {
    let present = |v: Option<&Value>| {
        v.filter(|v| !v.is_null() && v.as_array().is_none_or(|items| !items.is_empty()))
            .cloned()
    };
    let mut keys: Vec<&String> = new.keys().collect();
    keys.extend(old.keys().filter(|k| !new.contains_key(*k)));
    keys.into_iter()
        .filter_map(|key| {
            let (old, new) = (present(old.get(key)), present(new.get(key)));
            (old != new).then(|| FieldChange {
                field: key.clone(),
                old,
                new,
            })
        })
        .collect()
}

/// An in-place update of one resource, if the remote and desired values differ at all.
pub fn update_if_changed(
    kind: ResourceKind,
    name: &str,
    id: &str,
    remote: &impl Serialize,
    desired: &impl Serialize,
) -> Option<ResourceChange> {
    let fields = diff_fields(remote, desired);
    (!fields.is_empty()).then(|| ResourceChange {
        kind,
        name: name.to_string(),
        id: Some(id.to_string()),
        action: Action::Update,
        fields,
    })
}

/// An item of a keyed collection: what desired and remote items are matched by (an action
/// group's name, a knowledge base's id).
pub trait Keyed {
    fn key(&self) -> &str;
}

/// A remote item, changed or deleted by its id.
pub trait Identified: Keyed {
    fn id(&self) -> &str;
}

/// Match `desired` against `remote` by key: a desired item without a remote one is created
/// (with all its fields), a pair goes to `compare` (which returns the update or replacement, or
/// `None` when they agree), and a remote item nothing desires is deleted. Changes come in the
/// desired order, deletions last, which is the order deploy applies them in.
pub fn diff_keyed<D: Keyed + Serialize, R: Identified>(
    kind: ResourceKind,
    desired: &[D],
    remote: &[R],
    compare: impl Fn(&D, &R) -> Option<ResourceChange>,
) -> Vec<ResourceChange> {
    let mut changes: Vec<ResourceChange> = desired
        .iter()
        .filter_map(|item| match remote.iter().find(|r| r.key() == item.key()) {
            None => Some(ResourceChange::create(
                kind,
                item.key(),
                creation_fields(item),
            )),
            Some(existing) => compare(item, existing),
        })
        .collect();
    changes.extend(
        remote
            .iter()
            .filter(|r| !desired.iter().any(|d| d.key() == r.key()))
            .map(|r| ResourceChange::delete(kind, r.key(), Some(r.id()))),
    );
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_and_absent_are_the_same() {
        assert!(diff_fields(&json!({"a": null, "b": 1, "c": []}), &json!({"b": 1})).is_empty());
    }

    #[test]
    fn one_key_objects_become_dotted_fields() {
        let fields = diff_fields(
            &json!({"executor": {"lambda": "arn:1"}}),
            &json!({"executor": {"lambda": "arn:2"}}),
        );
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].field, "executor.lambda");
        assert_eq!(fields[0].old, Some(json!("arn:1")));
    }

    #[test]
    fn keyed_collections_create_update_and_delete_in_apply_order() {
        #[derive(Serialize)]
        struct Item {
            name: &'static str,
            size: u32,
        }
        let desired = [
            Item {
                name: "new",
                size: 1,
            },
            Item {
                name: "same",
                size: 2,
            },
            Item {
                name: "grown",
                size: 4,
            },
        ];
        impl Keyed for Item {
            fn key(&self) -> &str {
                self.name
            }
        }
        impl Identified for Item {
            fn id(&self) -> &str {
                "ID"
            }
        }
        let remote = [
            Item {
                name: "gone",
                size: 9,
            },
            Item {
                name: "grown",
                size: 3,
            },
            Item {
                name: "same",
                size: 2,
            },
        ];
        let changes = diff_keyed(ResourceKind::ActionGroup, &desired, &remote, |d, r| {
            update_if_changed(ResourceKind::ActionGroup, d.name, r.id(), r, d)
        });
        let seen: Vec<_> = changes
            .iter()
            .map(|c| (c.name.as_str(), c.action))
            .collect();
        assert_eq!(
            seen,
            [
                ("new", Action::Create),
                ("grown", Action::Update),
                ("gone", Action::Delete)
            ]
        );
        assert_eq!(changes[1].fields[0].field, "size");
        assert_eq!(changes[2].id.as_deref(), Some("ID"));
    }
}
