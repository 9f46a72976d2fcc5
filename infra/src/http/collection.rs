//! The routes of one resource collection, laid out as Azure Resource Manager lays them out:
//! the listing, the resource at `…/{name}`, and its actions at `…/{name}/{action}`.

use axum::Router;
use axum::routing::MethodRouter;

use super::paths::{EG, SUB_EG};

/// A collection's routes being added to a router.
pub struct Collection<S> {
    router: Router<S>,
    path: String,
}

impl<S: Clone + Send + Sync + 'static> Collection<S> {
    /// The collection at `{EG}/{path}`, where `path` is a resource type (`partnerNamespaces`)
    /// or a child type under its parent (`partnerNamespaces/{namespace}/channels`).
    pub fn new(router: Router<S>, path: &str) -> Self {
        Self {
            router,
            path: path.to_owned(),
        }
    }

    /// `handler` lists the collection: a top-level one per resource group (`{EG}/{path}`) and
    /// per subscription (`{SUB_EG}/{path}`), a child one under its parent only.
    pub fn list(mut self, handler: MethodRouter<S>) -> Self {
        if !self.path.contains('/') {
            self.router = self
                .router
                .route(&format!("{SUB_EG}/{}", self.path), handler.clone());
        }
        self.router = self.router.route(&format!("{EG}/{}", self.path), handler);
        self
    }

    /// `handler` serves one resource, at `{EG}/{path}/{name}`.
    pub fn item(mut self, handler: MethodRouter<S>) -> Self {
        self.router = self
            .router
            .route(&format!("{EG}/{}/{{name}}", self.path), handler);
        self
    }

    /// `handler` serves `action` on one resource, at `{EG}/{path}/{name}/{action}`.
    pub fn action(mut self, action: &str, handler: MethodRouter<S>) -> Self {
        self.router = self
            .router
            .route(&format!("{EG}/{}/{{name}}/{action}", self.path), handler);
        self
    }

    /// The router with the collection's routes added.
    pub fn router(self) -> Router<S> {
        self.router
    }
}
