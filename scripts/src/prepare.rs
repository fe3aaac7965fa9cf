//! From TEST selectors to built executables and the list of tests to run: what repeat-test and replay
//! both do before running anything.

use crate::select::{self, Scope, TestId};
use crate::targets::{self, TestTarget};
use crate::{EXIT_SETUP, EXIT_USAGE};

/// The built targets and the tests the selectors chose.
pub struct Prepared {
    pub targets: Vec<TestTarget>,
    pub tests: Vec<TestId>,
}

impl Prepared {
    /// The built target named `name`.
    pub fn target(&self, name: &str) -> Option<&TestTarget> {
        self.targets.iter().find(|t| t.name == name)
    }
}

/// Why nothing could run.
#[derive(Debug)]
pub enum PrepareError {
    /// The selectors name nothing that exists.
    Usage(String),
    /// The tests could not be built or listed.
    Setup(String),
}

impl PrepareError {
    pub fn exit_code(&self) -> i32 {
        match self {
            PrepareError::Usage(_) => EXIT_USAGE,
            PrepareError::Setup(_) => EXIT_SETUP,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            PrepareError::Usage(m) | PrepareError::Setup(m) => m,
        }
    }
}

/// Builds what the selectors need (as little as can be told in advance) and expands them.
pub fn prepare(selectors: &[String], scope: Scope) -> Result<Prepared, PrepareError> {
    // A part of the wrong edition is known without building anything.
    for sel in selectors {
        scope.part(sel).map_err(PrepareError::Usage)?;
    }
    let sources = targets::sources().map_err(PrepareError::Setup)?;
    let wanted = select::targets_to_build(&sources, selectors, scope);
    let built = targets::build(&wanted).map_err(PrepareError::Setup)?;
    match select::expand(&built, selectors, scope) {
        Ok(tests) => Ok(Prepared {
            targets: built,
            tests,
        }),
        // The guess from the sources missed something: look in every target before giving up.
        Err(_) if wanted.len() < sources.len() => {
            let every: Vec<String> = sources.into_iter().map(|s| s.name).collect();
            let built = targets::build(&every).map_err(PrepareError::Setup)?;
            let tests = select::expand(&built, selectors, scope).map_err(PrepareError::Usage)?;
            Ok(Prepared {
                targets: built,
                tests,
            })
        }
        Err(e) => Err(PrepareError::Usage(e)),
    }
}
