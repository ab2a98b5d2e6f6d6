//! What every request handler shares: the server's store behind one mutex
//! (every store call runs on tokio's blocking pool) and the token lifetime.

use crate::error::ApiError;
use std::sync::{Arc, Mutex};
use store::Store;

#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    token_days: i64,
}

impl AppState {
    /// `store` must already be marked as the server's (`sync::server::enable`).
    pub fn new(store: Store, token_days: i64) -> Self {
        Self::shared(Arc::new(Mutex::new(store)), token_days)
    }

    pub fn shared(store: Arc<Mutex<Store>>, token_days: i64) -> Self {
        AppState { store, token_days }
    }

    pub fn store(&self) -> &Arc<Mutex<Store>> {
        &self.store
    }

    /// Days a newly issued device token stays valid.
    pub fn token_days(&self) -> i64 {
        self.token_days
    }

    /// Runs `f` on the store on the blocking pool. A panic inside, or a
    /// mutex poisoned by an earlier one, is a 500 (the store's state after
    /// a panic mid-transaction is not trusted).
    pub async fn with_store<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        let joined = tokio::task::spawn_blocking(move || {
            let mut guard = match store.lock() {
                Ok(guard) => guard,
                Err(_) => {
                    tracing::error!(code = "poisoned", "the store mutex is poisoned");
                    return Err(ApiError::server());
                }
            };
            f(&mut guard)
        })
        .await;
        match joined {
            Ok(result) => result,
            Err(_) => {
                tracing::error!(code = "panic", "a store task panicked");
                Err(ApiError::server())
            }
        }
    }
}
