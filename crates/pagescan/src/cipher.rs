//! Page decryption and the HMAC check (SQLCipher 4, raw key): the keys of
//! one database and the opening of one stored page image.

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, InnerIvInit, KeyInit};
use aes::Aes256;
use hmac::{Hmac, Mac};
use sha2::Sha512;

use crate::format::{FAST_KDF_ITER, HMAC_SALT_MASK, HMAC_SIZE, IV_SIZE, SALT_SIZE, SQLITE_MAGIC};
use crate::report::ScanError;
use crate::{PAGE_SIZE, USABLE_SIZE};

pub(crate) enum Opened {
    /// HMAC verified, plaintext written.
    Plain,
    /// The stored page is all zeros: never written.
    Zero,
    /// The HMAC does not match.
    BadHmac,
}

/// The keys of one database: AES-256 with the raw key, and the HMAC keyed
/// with the key derived from the salt.
pub(crate) struct PageCipher {
    aes: Aes256,
    mac: Hmac<Sha512>,
}

impl PageCipher {
    pub(crate) fn new(raw_key: &[u8; 32], salt: &[u8; SALT_SIZE]) -> Result<Self, ScanError> {
        let mut hmac_salt = *salt;
        for byte in &mut hmac_salt {
            *byte ^= HMAC_SALT_MASK;
        }
        let mut hmac_key = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha512>(raw_key, &hmac_salt, FAST_KDF_ITER, &mut hmac_key);
        let mac = <Hmac<Sha512> as Mac>::new_from_slice(&hmac_key)
            .map_err(|_| ScanError::Internal("HMAC key rejected"))?;
        hmac_key.fill(0);
        let aes = Aes256::new(raw_key.into());
        Ok(PageCipher { aes, mac })
    }

    /// Verifies and decrypts one stored page image. On success `plain` holds
    /// the page's content (`USABLE_SIZE` bytes; page 1 begins with the SQLite
    /// magic where the file has the salt).
    pub(crate) fn open(
        &self,
        page_no: u32,
        raw: &[u8; PAGE_SIZE],
        plain: &mut [u8; USABLE_SIZE],
    ) -> Opened {
        if raw.iter().all(|&b| b == 0) {
            return Opened::Zero;
        }
        let start = if page_no == 1 { SALT_SIZE } else { 0 };
        let iv_end = USABLE_SIZE + IV_SIZE;
        let mut mac = self.mac.clone();
        mac.update(&raw[start..iv_end]);
        mac.update(&page_no.to_le_bytes());
        if mac.verify_slice(&raw[iv_end..iv_end + HMAC_SIZE]).is_err() {
            return Opened::BadHmac;
        }
        let iv = &raw[USABLE_SIZE..iv_end];
        let Ok(decryptor) = cbc::Decryptor::<Aes256>::inner_iv_slice_init(self.aes.clone(), iv)
        else {
            return Opened::BadHmac;
        };
        if decryptor
            .decrypt_padded_b2b_mut::<NoPadding>(&raw[start..USABLE_SIZE], &mut plain[start..])
            .is_err()
        {
            return Opened::BadHmac;
        }
        if page_no == 1 {
            plain[..SALT_SIZE].copy_from_slice(SQLITE_MAGIC);
        }
        Opened::Plain
    }
}
