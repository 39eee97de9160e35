//! Text encodings of input files. Everything past this module is UTF-8:
//! UTF-8 input passes through untouched (a byte-order mark is dropped), and
//! UTF-16 input (Excel's "Unicode text", some Windows exports), recognised by
//! its byte-order mark, is transcoded chunk by chunk.

use super::error::IngestError;

/// How many bytes tell the encoding.
pub const MAGIC_BYTES: usize = 4;

/// Whether a file starting with `head` is a ZIP archive (as `.xlsx`
/// workbooks are): those are read by `workbook`, not decoded as text.
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04")
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The encoding of one file, with the state needed to transcode it in chunks.
#[derive(Debug)]
pub enum Decoder {
    Utf8,
    Utf16 {
        little_endian: bool,
        /// An odd byte left over from the previous chunk.
        carry: Option<u8>,
        /// A high surrogate waiting for its low half.
        high: Option<u16>,
    },
}

impl Decoder {
    /// Recognises the encoding from the first bytes of `file` and returns the
    /// decoder with the number of byte-order-mark bytes to skip. Files that
    /// are not text at all are refused here, with a message saying what they
    /// look like.
    pub fn detect(file: &str, head: &[u8]) -> Result<(Decoder, usize), IngestError> {
        let utf16 = |little_endian| Decoder::Utf16 {
            little_endian,
            carry: None,
            high: None,
        };
        if head.starts_with(b"\xFF\xFE") {
            return Ok((utf16(true), 2));
        }
        if head.starts_with(b"\xFE\xFF") {
            return Ok((utf16(false), 2));
        }
        // Excel 97-2003 workbooks are OLE compound files.
        if head.starts_with(b"\xD0\xCF\x11\xE0") {
            return Err(IngestError::LegacyWorkbook {
                file: file.to_string(),
            });
        }
        // Text has no NUL bytes; look at the start only, the rest is data.
        if head[..head.len().min(1024)].contains(&0) {
            return Err(IngestError::Binary {
                file: file.to_string(),
            });
        }
        let bom = if head.starts_with(UTF8_BOM) {
            UTF8_BOM.len()
        } else {
            0
        };
        Ok((Decoder::Utf8, bom))
    }

    /// UTF-8 text of `input`: `input` itself for UTF-8, else transcoded
    /// into `scratch` (reused between chunks).
    pub fn decode<'a>(&mut self, input: &'a [u8], scratch: &'a mut Vec<u8>) -> &'a [u8] {
        let Decoder::Utf16 {
            little_endian,
            carry,
            high,
        } = self
        else {
            return input;
        };
        scratch.clear();
        let mut bytes = input.iter().copied();
        loop {
            let first = match carry.take() {
                Some(byte) => byte,
                None => match bytes.next() {
                    Some(byte) => byte,
                    None => break,
                },
            };
            let Some(second) = bytes.next() else {
                *carry = Some(first);
                break;
            };
            let unit = if *little_endian {
                u16::from_le_bytes([first, second])
            } else {
                u16::from_be_bytes([first, second])
            };
            match (high.take(), unit) {
                (None, 0xD800..=0xDBFF) => *high = Some(unit),
                (Some(h), 0xDC00..=0xDFFF) => {
                    let code =
                        0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                    push_char(scratch, char::from_u32(code).unwrap_or('\u{FFFD}'));
                }
                (pending, unit) => {
                    if pending.is_some() {
                        push_char(scratch, '\u{FFFD}');
                    }
                    if (0xD800..=0xDBFF).contains(&unit) {
                        *high = Some(unit);
                    } else {
                        push_char(
                            scratch,
                            char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'),
                        );
                    }
                }
            }
        }
        scratch
    }
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
        let mut out = if little_endian {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            out.extend_from_slice(&if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }

    fn decode_all(bytes: &[u8], chunk: usize) -> String {
        let (mut decoder, skip) = Decoder::detect("f", bytes).expect("text");
        let mut out = Vec::new();
        let mut scratch = Vec::new();
        for piece in bytes[skip..].chunks(chunk.max(1)) {
            out.extend_from_slice(decoder.decode(piece, &mut scratch));
        }
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn detects_encodings_and_refuses_binaries() {
        assert!(matches!(
            Decoder::detect("f", b"a,b"),
            Ok((Decoder::Utf8, 0))
        ));
        assert!(matches!(
            Decoder::detect("f", b"\xEF\xBB\xBFa"),
            Ok((Decoder::Utf8, 3))
        ));
        assert!(matches!(
            Decoder::detect("f", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"),
            Err(IngestError::LegacyWorkbook { .. })
        ));
        assert!(matches!(
            Decoder::detect("f", b"\x89PNG\r\n\x1a\n\0\0"),
            Err(IngestError::Binary { .. })
        ));
    }

    #[test]
    fn utf16_with_surrogates() {
        let text = "Name,Email\r\nZoë,🎁@example.com\r\n";
        assert_eq!(decode_all(&utf16(text, true), usize::MAX), text);
        assert_eq!(decode_all(&utf16(text, false), 3), text);
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let bytes = [0xFF, 0xFE, 0x00, 0xD8, b'a', 0];
        assert_eq!(decode_all(&bytes, usize::MAX), "\u{FFFD}a");
    }

    proptest! {
        #[test]
        fn any_split_decodes_the_same(text in "\\PC{0,40}", chunk in 1usize..7, le in any::<bool>()) {
            prop_assert_eq!(decode_all(&utf16(&text, le), chunk), text);
        }
    }
}
