//! What every request handler shares: the server's store behind one mutex
//! (every store call runs on tokio's blocking pool), the queue of pushes
//! waiting for the next group commit, and the token lifetime.

use crate::error::ApiError;
use domain::Actor;
use std::sync::{Arc, Mutex};
use store::Store;
use sync::wire::{PushRequest, PushResponse};
use tokio::sync::oneshot;

/// A push waiting for its group commit, and where its answer goes.
struct PendingPush {
    actor: Actor,
    request: PushRequest,
    answer: oneshot::Sender<Result<PushResponse, ApiError>>,
}

#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    pushes: Arc<Mutex<Vec<PendingPush>>>,
    token_days: i64,
    /// The website's signing secrets (`crate::intake`); none by default.
    intake: Arc<crate::intake::Secrets>,
    helloasso: Option<Arc<crate::helloasso::HelloAsso>>,
}

impl AppState {
    /// `store` must already be marked as the server's (`sync::server::enable`).
    pub fn new(store: Store, token_days: i64) -> Self {
        Self::shared(Arc::new(Mutex::new(store)), token_days)
    }

    pub fn shared(store: Arc<Mutex<Store>>, token_days: i64) -> Self {
        AppState {
            store,
            pushes: Arc::default(),
            token_days,
            intake: Arc::default(),
            helloasso: None,
        }
    }

    /// This state with the website's intake secrets (`crate::intake`).
    pub fn with_intake(mut self, secrets: crate::intake::Secrets) -> Self {
        self.intake = Arc::new(secrets);
        self
    }

    /// The website's intake secrets (empty: the intake answers 503).
    pub fn intake(&self) -> &Arc<crate::intake::Secrets> {
        &self.intake
    }

    /// This state taking HelloAsso's notifications (issue 15), if configured.
    pub fn with_helloasso(mut self, helloasso: Option<Arc<crate::helloasso::HelloAsso>>) -> Self {
        self.helloasso = helloasso;
        self
    }

    pub fn helloasso(&self) -> Option<&Arc<crate::helloasso::HelloAsso>> {
        self.helloasso.as_ref()
    }

    pub fn store(&self) -> &Arc<Mutex<Store>> {
        &self.store
    }

    /// Days a newly issued device token stays valid.
    pub fn token_days(&self) -> i64 {
        self.token_days
    }

    /// Applies one push through the group commit (DC-5 throughput): the push
    /// joins the queue, then a store task runs; whichever task gets the store
    /// first applies every queued push in one transaction
    /// ([`sync::server::push_many`]) and answers each. A task that finds the
    /// queue empty has nothing to do: its push went with an earlier group.
    /// Each push is answered only after the commit that made it durable.
    pub async fn push(&self, actor: Actor, request: PushRequest) -> Result<PushResponse, ApiError> {
        let (answer, answered) = oneshot::channel();
        self.pushes
            .lock()
            .map_err(|_| ApiError::server())?
            .push(PendingPush {
                actor,
                request,
                answer,
            });
        let pushes = Arc::clone(&self.pushes);
        self.with_store(move |store| {
            let group = std::mem::take(&mut *pushes.lock().map_err(|_| ApiError::server())?);
            if group.is_empty() {
                return Ok(());
            }
            let (inputs, answers): (Vec<_>, Vec<_>) = group
                .into_iter()
                .map(|pending| ((pending.actor, pending.request), pending.answer))
                .unzip();
            let size = inputs.len();
            match sync::server::push_many(store, inputs, chrono::Utc::now()) {
                Ok(results) => {
                    for (answer, result) in answers.into_iter().zip(results) {
                        // A push whose client went away is still applied.
                        let _ = answer.send(result.map_err(ApiError::from_store));
                    }
                }
                Err(error) => {
                    let error = ApiError::from_store(error);
                    for answer in answers {
                        let _ = answer.send(Err(error.clone()));
                    }
                }
            }
            tracing::debug!(pushes = size, "group commit");
            Ok(())
        })
        .await?;
        // The sender is dropped unanswered only if the group's task panicked.
        answered.await.unwrap_or_else(|_| Err(ApiError::server()))
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
