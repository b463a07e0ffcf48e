//! Users, roles, passwords (argon2id) and API tokens, in `<store>/ledger/users.json`.
//!
//! Passwords are stored as argon2id PHC strings. An API token is `srt_<id>_<secret>`;
//! only BLAKE3 of the secret is stored, so a stolen users file yields no token. The
//! file is rewritten whole: written to a temporary file, synced, renamed into place,
//! and the directory synced, under an exclusive lock.

use crate::ClaimsError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sitrep_model::Role;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One API token (only its hash is kept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenEntry {
    /// Public id (the middle part of the token).
    pub id: String,
    /// BLAKE3 of the secret, hex.
    pub blake3: String,
    /// When it was made.
    pub created: DateTime<Utc>,
}

/// One user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Login name.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    /// When the user was added.
    pub created: DateTime<Utc>,
    /// API tokens.
    #[serde(default)]
    pub tokens: Vec<TokenEntry>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct UsersFile {
    users: Vec<User>,
}

/// The users of one store.
#[derive(Debug, Clone)]
pub struct Users {
    path: PathBuf,
}

fn random_hex(bytes: usize) -> Result<String, ClaimsError> {
    let mut b = vec![0u8; bytes];
    getrandom::getrandom(&mut b).map_err(|e| ClaimsError::Internal(format!("random: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// A random token for sessions and CSRF (32 bytes, hex).
pub fn random_token() -> Result<String, ClaimsError> {
    random_hex(32)
}

fn check_name(name: &str) -> Result<(), ClaimsError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(ClaimsError::Invalid(format!(
            "user name {name:?}: use 1-64 letters, digits, `-`, `_`, `.` or `@`"
        )))
    }
}

impl Users {
    /// The users file at `path`.
    pub fn at(path: impl Into<PathBuf>) -> Users {
        Users { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn load(&self) -> Result<UsersFile, ClaimsError> {
        match std::fs::read(&self.path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| ClaimsError::Damaged {
                path: self.path.clone(),
                what: format!("users file is not valid: {e}"),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(UsersFile::default()),
            Err(e) => Err(ClaimsError::io(&self.path, e)),
        }
    }

    fn update<T>(
        &self,
        change: impl FnOnce(&mut UsersFile) -> Result<T, ClaimsError>,
    ) -> Result<T, ClaimsError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| ClaimsError::io(dir, e))?;
        let lock_path = dir.join(".users.lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| ClaimsError::io(&lock_path, e))?;
        lock.lock().map_err(|e| ClaimsError::io(&lock_path, e))?;
        let mut file = self.load()?;
        let out = change(&mut file)?;
        let tmp = self.path.with_extension("json.tmp");
        let bytes =
            serde_json::to_vec_pretty(&file).map_err(|e| ClaimsError::Internal(e.to_string()))?;
        {
            let mut f = File::create(&tmp).map_err(|e| ClaimsError::io(&tmp, e))?;
            f.write_all(&bytes).map_err(|e| ClaimsError::io(&tmp, e))?;
            f.sync_all().map_err(|e| ClaimsError::io(&tmp, e))?;
        }
        std::fs::rename(&tmp, &self.path).map_err(|e| ClaimsError::io(&self.path, e))?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(out)
    }

    /// Every user.
    pub fn list(&self) -> Result<Vec<User>, ClaimsError> {
        Ok(self.load()?.users)
    }

    /// True when at least one user exists (the server accepts writes only then).
    pub fn any(&self) -> Result<bool, ClaimsError> {
        Ok(!self.load()?.users.is_empty())
    }

    /// Adds a user with a password (at least 8 characters).
    pub fn add(&self, name: &str, role: Role, password: &str) -> Result<User, ClaimsError> {
        check_name(name)?;
        if password.chars().count() < 8 {
            return Err(ClaimsError::Invalid(
                "the password must have at least 8 characters".into(),
            ));
        }
        let hash = hash_password(password)?;
        self.update(|f| {
            if f.users.iter().any(|u| u.name == name) {
                return Err(ClaimsError::Invalid(format!(
                    "user {name:?} exists; remove it first to change its role or password"
                )));
            }
            let u = User {
                name: name.to_string(),
                role,
                password_hash: hash,
                created: Utc::now(),
                tokens: Vec::new(),
            };
            f.users.push(u.clone());
            Ok(u)
        })
    }

    /// Removes a user (and its tokens).
    pub fn remove(&self, name: &str) -> Result<(), ClaimsError> {
        self.update(|f| {
            let before = f.users.len();
            f.users.retain(|u| u.name != name);
            if f.users.len() == before {
                return Err(ClaimsError::NotFound(format!("no user {name:?}")));
            }
            Ok(())
        })
    }

    /// Makes a new API token for a user and returns it (shown once; only its hash is
    /// kept).
    pub fn new_token(&self, name: &str) -> Result<String, ClaimsError> {
        let id = random_hex(6)?;
        let secret = random_hex(24)?;
        let hash = blake3::hash(secret.as_bytes()).to_hex().to_string();
        self.update(|f| {
            let u = f
                .users
                .iter_mut()
                .find(|u| u.name == name)
                .ok_or_else(|| ClaimsError::NotFound(format!("no user {name:?}")))?;
            u.tokens.push(TokenEntry {
                id: id.clone(),
                blake3: hash,
                created: Utc::now(),
            });
            Ok(())
        })?;
        Ok(format!("srt_{id}_{secret}"))
    }

    /// The user a token belongs to, if it is valid.
    pub fn check_token(&self, token: &str) -> Result<Option<User>, ClaimsError> {
        let Some(rest) = token.trim().strip_prefix("srt_") else {
            return Ok(None);
        };
        let Some((id, secret)) = rest.split_once('_') else {
            return Ok(None);
        };
        let given = blake3::hash(secret.as_bytes());
        for u in self.load()?.users {
            for t in &u.tokens {
                if t.id == id {
                    // blake3::Hash compares in constant time.
                    if blake3::Hash::from_hex(&t.blake3).is_ok_and(|h| h == given) {
                        return Ok(Some(u.clone()));
                    }
                    return Ok(None);
                }
            }
        }
        Ok(None)
    }

    /// The user, if name and password match. Runs argon2 even for an unknown name, so
    /// timing does not tell which names exist.
    pub fn check_password(&self, name: &str, password: &str) -> Result<Option<User>, ClaimsError> {
        let users = self.load()?.users;
        let user = users.into_iter().find(|u| u.name == name);
        let phc = match &user {
            Some(u) => u.password_hash.clone(),
            None => dummy_hash()?,
        };
        let ok = PasswordHash::new(&phc)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false);
        Ok(user.filter(|_| ok))
    }
}

fn hash_password(password: &str) -> Result<String, ClaimsError> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| ClaimsError::Internal(format!("random: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| ClaimsError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ClaimsError::Internal(format!("argon2: {e}")))
}

fn dummy_hash() -> Result<String, ClaimsError> {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = H.get() {
        return Ok(h.clone());
    }
    let h = hash_password("not a real password, only for timing")?;
    Ok(H.get_or_init(|| h).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_tokens_check() {
        let dir = tempfile::tempdir().unwrap();
        let users = Users::at(dir.path().join("users.json"));
        assert!(!users.any().unwrap());
        users.add("ana", Role::Analyst, "correct horse").unwrap();
        assert!(users.add("ana", Role::Viewer, "another one").is_err());
        assert!(users.add("bad name", Role::Viewer, "long enough").is_err());
        assert!(users.add("short", Role::Viewer, "x").is_err());
        assert!(users
            .check_password("ana", "correct horse")
            .unwrap()
            .is_some());
        assert!(users
            .check_password("ana", "wrong horse")
            .unwrap()
            .is_none());
        assert!(users
            .check_password("bob", "correct horse")
            .unwrap()
            .is_none());
        let text = std::fs::read_to_string(users.path()).unwrap();
        assert!(text.contains("$argon2id$") && !text.contains("correct horse"));
        let t = users.new_token("ana").unwrap();
        assert_eq!(users.check_token(&t).unwrap().unwrap().role, Role::Analyst);
        let mut forged = t.clone();
        forged.pop();
        forged.push('x');
        assert!(users.check_token(&forged).unwrap().is_none());
        assert!(!std::fs::read_to_string(users.path())
            .unwrap()
            .contains(&t[20..]));
        users.remove("ana").unwrap();
        assert!(users.check_token(&t).unwrap().is_none());
        assert!(users.remove("ana").is_err());
    }
}
