//! The room's wire format: each frame is a 4-byte big-endian length, then that many bytes of
//! JSON. A frame longer than `MAX_FRAME` is refused before its body is read, so a peer cannot
//! make a console hold more than one frame's worth of its bytes.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Longest frame body accepted: room for the longest review (256 KiB) with every character
/// escaped; each record is a frame of its own.
pub const MAX_FRAME: usize = 1024 * 1024;

/// Why a stream of frames cannot be read on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("a frame of {0} bytes is over the limit of {MAX_FRAME}")]
    TooLong(usize),
    #[error("a frame is not a valid message: {0}")]
    Garbage(String),
}

/// One message as a frame.
#[must_use]
pub fn encode(message: &impl Serialize) -> Vec<u8> {
    let body = serde_json::to_vec(message).expect("room messages always serialise");
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
    frame.extend_from_slice(&body);
    frame
}

/// Bytes as they arrive, cut into messages. After an error the stream is not read on: the
/// connection is closed.
#[derive(Debug, Default)]
pub struct Decoder {
    buffer: Vec<u8>,
}

impl Decoder {
    /// Adds bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole message, `Ok(None)` until one has arrived.
    pub fn message<T: DeserializeOwned>(&mut self) -> Result<Option<T>, FrameError> {
        let Some(head) = self.buffer.first_chunk::<4>() else {
            return Ok(None);
        };
        let len = u32::from_be_bytes(*head) as usize;
        if len > MAX_FRAME {
            return Err(FrameError::TooLong(len));
        }
        if self.buffer.len() < 4 + len {
            return Ok(None);
        }
        let message = serde_json::from_slice(&self.buffer[4..4 + len])
            .map_err(|e| FrameError::Garbage(e.to_string()));
        self.buffer.drain(..4 + len);
        message.map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn frames_split_anywhere_read_back_whole() {
        let frames: Vec<u8> = ["one", "two", "three"]
            .iter()
            .flat_map(|s| encode(&s.to_string()))
            .collect();
        for cut in 0..frames.len() {
            let mut decoder = Decoder::default();
            let mut read = Vec::new();
            for part in [&frames[..cut], &frames[cut..]] {
                decoder.push(part);
                while let Some(s) = decoder.message::<String>().unwrap() {
                    read.push(s);
                }
            }
            assert_eq!(read, ["one", "two", "three"], "cut at {cut}");
        }
    }

    #[test]
    fn an_oversized_frame_is_refused_from_its_header() {
        let mut decoder = Decoder::default();
        decoder.push(&(MAX_FRAME as u32 + 1).to_be_bytes());
        assert_eq!(
            decoder.message::<String>(),
            Err(FrameError::TooLong(MAX_FRAME + 1))
        );
    }

    proptest! {
        /// Hostile bytes never panic and never make the decoder hold more than one frame.
        #[test]
        fn random_bytes_end_in_a_message_an_error_or_a_wait(
            chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..16)
        ) {
            let mut decoder = Decoder::default();
            'stream: for chunk in chunks {
                decoder.push(&chunk);
                loop {
                    match decoder.message::<serde_json::Value>() {
                        Ok(Some(_)) => {}
                        Ok(None) => break,
                        Err(_) => break 'stream,
                    }
                }
                prop_assert!(decoder.buffer.len() <= 4 + MAX_FRAME + 64);
            }
        }
    }
}
