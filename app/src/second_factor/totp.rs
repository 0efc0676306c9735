//! Time-based one-time passwords: RFC 6238 (HMAC-SHA1, 30-second steps, 6 digits) over RFC
//! 4226's HOTP, and the RFC 4648 base32 that carries the key to the agent's application.
//! Pure functions: the clock and the last accepted step are given by the caller.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Length of a fresh key: 160 bits, RFC 4226's recommendation for HMAC-SHA1.
pub const SECRET_BYTES: usize = 20;

/// RFC 4226 HOTP: the `digits` last decimal digits of the dynamically truncated
/// HMAC-SHA1(`secret`, `counter`).
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> Option<u32> {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret).ok()?;
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest.last()? & 0x0f);
    let word: [u8; 4] = digest.get(offset..offset + 4)?.try_into().ok()?;
    let binary = u32::from_be_bytes(word) & 0x7fff_ffff;
    Some(binary % 10u32.checked_pow(digits)?)
}

/// The time step of a Unix time (RFC 6238, T0 = 0).
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The 6-digit code of a step, zero-padded.
pub fn code_at_step(secret: &[u8], step: i64) -> Option<String> {
    let counter = u64::try_from(step).ok()?;
    hotp(secret, counter, DIGITS).map(|code| format!("{code:06}"))
}

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not the code of the current step, nor of the one before or after (clock skew).
    Wrong,
    /// The code of a step already used (or earlier than the one used).
    Replayed,
}

/// The step whose code `code` is, among the current step ±1, if it is later than
/// `last_step` (the last accepted one).
pub fn accept(
    secret: &[u8],
    code: &str,
    unix_seconds: i64,
    last_step: Option<i64>,
) -> Result<i64, Refusal> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::Wrong);
    }
    let now = step_at(unix_seconds);
    let mut matching = (now - 1..=now + 1)
        .filter(|step| code_at_step(secret, *step).as_deref() == Some(code))
        .peekable();
    if matching.peek().is_none() {
        return Err(Refusal::Wrong);
    }
    matching
        .find(|step| last_step.is_none_or(|last| *step > last))
        .ok_or(Refusal::Replayed)
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32, without padding (what authenticator applications read).
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    let mut push = |index: u32| out.push(char::from(BASE32[(index & 31) as usize]));
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            push(buffer >> bits);
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        push(buffer << (5 - bits));
    }
    out
}

/// Reads base32 (any case; spaces and padding ignored); `None` if another character is found.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        let value = BASE32.iter().position(|a| *a == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | u32::try_from(value).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from(buffer >> bits).ok()?);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The key's `otpauth://` URI (Google Authenticator's key URI format, which every
/// authenticator reads): `issuer` names the service, `account` the person.
pub fn otpauth_uri(issuer: &str, account: &str, secret_base32: &str) -> String {
    use crate::text::percent_encode;
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={secret_base32}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        percent_encode(account)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4226 appendix D and RFC 6238 appendix B (SHA-1): the ASCII key "1234…890".
    const RFC_KEY: &[u8] = b"12345678901234567890";

    #[test]
    fn hotp_gives_the_rfc_4226_test_values() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, code) in expected.into_iter().enumerate() {
            assert_eq!(hotp(RFC_KEY, counter as u64, 6), Some(code), "{counter}");
        }
    }

    #[test]
    fn totp_gives_the_rfc_6238_sha1_test_values_in_eight_and_in_six_digits() {
        for (time, code) in [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            let step = step_at(time);
            assert_eq!(hotp(RFC_KEY, step as u64, 8), Some(code), "{time}");
            assert_eq!(
                code_at_step(RFC_KEY, step),
                Some(format!("{:06}", code % 1_000_000)),
                "{time}"
            );
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_early_or_late_but_not_two() {
        let now = 1_234_567_890;
        let step = step_at(now);
        for offset in [-1, 0, 1] {
            let code = code_at_step(RFC_KEY, step + offset).unwrap();
            assert_eq!(accept(RFC_KEY, &code, now, None), Ok(step + offset));
        }
        for offset in [-2, 2] {
            let code = code_at_step(RFC_KEY, step + offset).unwrap();
            assert_eq!(accept(RFC_KEY, &code, now, None), Err(Refusal::Wrong));
        }
        assert_eq!(accept(RFC_KEY, "12345", now, None), Err(Refusal::Wrong));
        assert_eq!(accept(RFC_KEY, "abcdef", now, None), Err(Refusal::Wrong));
    }

    #[test]
    fn a_code_of_the_last_accepted_step_or_an_earlier_one_is_replayed() {
        let now = 1_234_567_890;
        let step = step_at(now);
        let code = code_at_step(RFC_KEY, step).unwrap();
        assert_eq!(
            accept(RFC_KEY, &code, now, Some(step)),
            Err(Refusal::Replayed)
        );
        assert_eq!(
            accept(RFC_KEY, &code, now, Some(step + 1)),
            Err(Refusal::Replayed)
        );
        assert_eq!(accept(RFC_KEY, &code, now, Some(step - 1)), Ok(step));
        // Still accepted 30 s later (skew), still not twice.
        assert_eq!(
            accept(RFC_KEY, &code, now + 30, Some(step)),
            Err(Refusal::Replayed)
        );
    }

    #[test]
    fn base32_follows_rfc_4648_and_reads_back() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(base32_decode("mzxw 6ytb oi======").unwrap(), b"foobar");
        assert_eq!(base32_decode("MZXW1"), None);
        let key: Vec<u8> = (0..=255).collect();
        assert_eq!(base32_decode(&base32_encode(&key)).unwrap(), key);
    }

    #[test]
    fn the_uri_names_the_issuer_and_the_account_percent_encoded() {
        assert_eq!(
            otpauth_uri("Mairie de Rezé", "a.b@reze.fr", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/Mairie%20de%20Rez%C3%A9:a.b%40reze.fr?secret=JBSWY3DPEHPK3PXP&issuer=Mairie%20de%20Rez%C3%A9&algorithm=SHA1&digits=6&period=30"
        );
    }
}
