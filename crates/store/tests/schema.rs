//! The schema rules: every reference to a participant has a
//! declared erasure behaviour (POL-25) matching its SQL `ON DELETE`, and every
//! domain row is sync-ready (UUID text id, `updated_at`, `updated_device`).

mod common;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use store::erasure::{PARTICIPANT_REFERENCES, PSEUDONYMOUS_REFERENCES};

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    table: String,
    #[diesel(sql_type = Text)]
    from: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    #[diesel(column_name = type_)]
    type_name: String,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

fn tables(conn: &mut diesel::SqliteConnection) -> Vec<String> {
    diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name != '__diesel_schema_migrations' ORDER BY name",
    )
    .load::<TableName>(conn)
    .unwrap()
    .into_iter()
    .map(|t| t.name)
    .collect()
}

#[test]
fn pol_25_every_participant_reference_has_a_declared_erasure_behaviour() {
    let mut fixture = common::empty();
    let conn = fixture.store.connection();
    let mut found = Vec::new();
    for table in tables(conn) {
        let keys: Vec<ForeignKey> = diesel::sql_query(format!(
            "SELECT \"table\", \"from\", on_delete FROM pragma_foreign_key_list('{table}')"
        ))
        .load(conn)
        .unwrap();
        for key in keys.into_iter().filter(|k| k.table == "participants") {
            let declared = PARTICIPANT_REFERENCES
                .iter()
                .find(|r| r.table == table && r.column == key.from)
                .unwrap_or_else(|| {
                    panic!("{table}.{} references participants without an erasure rule in store::erasure", key.from)
                });
            assert_eq!(
                key.on_delete,
                declared.on_erasure.sql_on_delete(),
                "{table}.{}: ON DELETE must implement {:?}",
                key.from,
                declared.on_erasure
            );
            found.push((table.clone(), key.from));
        }
    }
    for declared in PARTICIPANT_REFERENCES {
        assert!(
            found
                .iter()
                .any(|(t, c)| t == declared.table && c == declared.column),
            "{}.{} is declared but has no foreign key",
            declared.table,
            declared.column
        );
    }
    assert_eq!(found.len(), PARTICIPANT_REFERENCES.len());
}

#[test]
fn pol_25_pseudonymous_references_hold_no_foreign_key_and_exist() {
    let mut fixture = common::empty();
    let conn = fixture.store.connection();
    for (table, column, _why) in PSEUDONYMOUS_REFERENCES {
        let columns: Vec<Column> = diesel::sql_query(format!(
            "SELECT name, type AS type_, pk FROM pragma_table_info('{table}')"
        ))
        .load(conn)
        .unwrap();
        assert!(
            columns.iter().any(|c| c.name == *column),
            "{table}.{column} exists"
        );
        let keys: Vec<ForeignKey> = diesel::sql_query(format!(
            "SELECT \"table\", \"from\", on_delete FROM pragma_foreign_key_list('{table}')"
        ))
        .load(conn)
        .unwrap();
        assert!(keys.iter().all(|k| k.from != *column));
    }
}

#[test]
fn dc_5_every_domain_table_is_sync_ready() {
    let mut fixture = common::empty();
    let conn = fixture.store.connection();
    let exempt = [
        "app_meta",
        "audit_log",
        "audit_chain",
        "audit_subjects",
        // Sync bookkeeping (issue 5): logs and queues, not replicated rows.
        "sync_outbox",
        "sync_refusals",
        "sync_fetch_queue",
        "sync_applied",
        "sync_changes",
        "sync_tombstones",
        "device_tokens",
        "device_audit",
        "audit_alerts",
    ];
    for table in tables(conn) {
        if exempt.contains(&table.as_str()) {
            continue;
        }
        let columns: Vec<Column> = diesel::sql_query(format!(
            "SELECT name, type AS type_, pk FROM pragma_table_info('{table}')"
        ))
        .load(conn)
        .unwrap();
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert!(names.contains(&"updated_at"), "{table} lacks updated_at");
        assert!(
            names.contains(&"updated_device"),
            "{table} lacks updated_device"
        );
        let keys: Vec<&Column> = columns.iter().filter(|c| c.pk > 0).collect();
        assert_eq!(keys.len(), 1, "{table} has one primary key column");
        assert_eq!(keys[0].type_name, "TEXT", "{table}: ids are UUID v7 text");
    }
}

#[test]
fn dc_5_seeded_ids_are_uuid_v7() {
    let mut fixture = common::demo();
    let ids: Vec<String> = store::schema::participants::table
        .select(store::schema::participants::id)
        .load(fixture.store.connection())
        .unwrap();
    assert_eq!(ids.len(), 60);
    for id in ids {
        let parsed = uuid_version(&id);
        assert_eq!(parsed, Some('7'), "{id} is not a v7 UUID");
    }
}

fn uuid_version(id: &str) -> Option<char> {
    (id.len() == 36).then(|| id.chars().nth(14)).flatten()
}

#[derive(QueryableByName)]
struct ColumnInfo {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

/// Parses `schema.rs` (written by hand, see docs/decisions/008-schema-rs-written-by-hand.md): table name →
/// (column name, nullable) in declaration order.
fn declared_schema() -> Vec<(String, Vec<(String, bool)>)> {
    let text = include_str!("../src/schema.rs");
    let mut tables = Vec::new();
    let mut current: Option<(String, Vec<(String, bool)>)> = None;
    for line in text.lines().map(str::trim) {
        if let Some((name, _)) = line.split_once(" (").filter(|_| line.ends_with('{')) {
            current = Some((name.to_owned(), Vec::new()));
        } else if let Some((column, sql_type)) = line.split_once(" -> ") {
            if let Some((_, columns)) = current.as_mut() {
                columns.push((column.trim().to_owned(), sql_type.starts_with("Nullable<")));
            }
        } else if line == "}" {
            if let Some(table) = current.take() {
                tables.push(table);
            }
        }
    }
    tables
}

#[test]
fn dc_2_schema_rs_matches_the_migrations() {
    let mut fixture = common::empty();
    let conn = fixture.store.connection();
    let declared = declared_schema();
    let mut declared_names: Vec<String> = declared.iter().map(|(t, _)| t.clone()).collect();
    declared_names.sort();
    assert_eq!(
        declared_names,
        tables(conn),
        "schema.rs declares exactly the migrated tables"
    );
    for (table, columns) in declared {
        let actual: Vec<ColumnInfo> = diesel::sql_query(format!(
            "SELECT name, \"notnull\", pk FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .load(conn)
        .unwrap();
        let actual: Vec<(String, bool)> = actual
            .into_iter()
            .map(|c| (c.name, c.notnull == 0 && c.pk == 0))
            .collect();
        assert_eq!(
            columns, actual,
            "{table}: columns and nullability in schema.rs match the migration"
        );
    }
}
