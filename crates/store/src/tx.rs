//! Write transactions that nest. A store function opens its own `BEGIN
//! IMMEDIATE` transaction; when the sync layer already holds one (to append
//! the operation to the outbox, or record it on the server, atomically with
//! its rows: sync.md), the function's transaction becomes a savepoint inside it.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;

/// Runs `f` in a write transaction: `BEGIN IMMEDIATE` at the outermost level,
/// a savepoint inside an open transaction.
pub fn immediate<T, E, F>(conn: &mut SqliteConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut SqliteConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let depth = AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .map_err(E::from)?;
    if depth.is_some() {
        conn.transaction(f)
    } else {
        conn.immediate_transaction(f)
    }
}

/// Runs `f` on the whole store inside one write transaction (`BEGIN
/// IMMEDIATE`): the store functions `f` calls nest as savepoints. Commits when
/// `f` returns `Ok`, rolls back otherwise. The sync layer uses it to write an
/// operation's rows and its outbox or change-log entry atomically.
///
/// Inside an open transaction it is a savepoint: an `Err` undoes `f`'s
/// changes only, and the outer transaction goes on (the server's group
/// commit runs several pushes in one transaction this way).
pub fn write<T>(
    store: &mut crate::Store,
    f: impl FnOnce(&mut crate::Store) -> Result<T, crate::StoreError>,
) -> Result<T, crate::StoreError> {
    let depth = AnsiTransactionManager::transaction_manager_status_mut(store.connection())
        .transaction_depth()?;
    if depth.is_some() {
        AnsiTransactionManager::begin_transaction(store.connection())?;
    } else {
        AnsiTransactionManager::begin_transaction_sql(store.connection(), "BEGIN IMMEDIATE")?;
    }
    match f(store) {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(store.connection())?;
            Ok(value)
        }
        Err(error) => {
            let _ = AnsiTransactionManager::rollback_transaction(store.connection());
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::app_meta;
    use crate::StoreError;

    fn meta(store: &mut crate::Store, key: &str) -> Option<String> {
        app_meta::table
            .find(key)
            .select(app_meta::value)
            .first(store.connection())
            .optional()
            .unwrap()
    }

    fn put(store: &mut crate::Store, key: &str) -> Result<(), StoreError> {
        diesel::insert_into(app_meta::table)
            .values((app_meta::key.eq(key), app_meta::value.eq("1")))
            .execute(store.connection())?;
        Ok(())
    }

    /// DC-5: the server's group commit relies on a nested `write` being a
    /// savepoint: its error undoes its own rows only.
    #[test]
    fn dc_5_a_nested_write_that_fails_undoes_only_its_own_changes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store =
            crate::open(&dir.path().join("tx.db"), &crate::StoreKey::random(), true).unwrap();
        let outer = write(&mut store, |store| {
            put(store, "test.first")?;
            let failed: Result<(), StoreError> = write(store, |store| {
                put(store, "test.second")?;
                Err(StoreError::InvalidInput("refused on purpose".into()))
            });
            assert!(failed.is_err());
            write(store, |store| put(store, "test.third"))?;
            Ok(())
        });
        assert!(outer.is_ok());
        assert_eq!(meta(&mut store, "test.first").as_deref(), Some("1"));
        assert_eq!(meta(&mut store, "test.second"), None);
        assert_eq!(meta(&mut store, "test.third").as_deref(), Some("1"));
        // An outer error undoes everything, the nested writes included.
        let undone: Result<(), StoreError> = write(&mut store, |store| {
            write(store, |store| put(store, "test.fourth"))?;
            Err(StoreError::InvalidInput("refused on purpose".into()))
        });
        assert!(undone.is_err());
        assert_eq!(meta(&mut store, "test.fourth"), None);
    }
}
