//! Any bytes from the network: split into frames and decoded as requests and responses. Must
//! never panic, hang or allocate more than the frame limit.

#![no_main]

use lanparty_core::proto;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    while let Ok(Some((body, tail))) = proto::split_frame(rest) {
        let _ = proto::decode_request(body);
        let _ = proto::decode_response(body);
        rest = tail;
    }
    let _ = proto::decode_request(data);
    let _ = proto::decode_response(data);
});
