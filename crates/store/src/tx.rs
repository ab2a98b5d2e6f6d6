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
pub fn write<T>(
    store: &mut crate::Store,
    f: impl FnOnce(&mut crate::Store) -> Result<T, crate::StoreError>,
) -> Result<T, crate::StoreError> {
    AnsiTransactionManager::begin_transaction_sql(store.connection(), "BEGIN IMMEDIATE")?;
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
