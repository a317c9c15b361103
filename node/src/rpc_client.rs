//! A minimal JSON-RPC client over plain HTTP/1.1, shared by the node's Rust clients
//! (`machina-node heartbeat`, `machina-solver`): the node serves HTTP and WebSocket on one
//! port, and a device or a solver needs nothing beyond the standard library to reach it.

use codec::Decode;
use std::{
	io::{Read, Write},
	net::TcpStream,
	time::Duration,
};

type Result<T> = std::result::Result<T, String>;

pub fn hex(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
	hex::decode(s.strip_prefix("0x").unwrap_or(s)).ok()
}

/// JSON-RPC over plain HTTP/1.1 (the node serves HTTP and WebSocket on one port): enough
/// for a device, with nothing beyond the standard library.
pub struct Rpc {
	host: String,
	path: String,
}

impl Rpc {
	pub fn new(url: &str) -> Result<Self> {
		let rest = url
			.strip_prefix("http://")
			.or_else(|| url.strip_prefix("ws://"))
			.ok_or("--rpc: http:// or ws:// (TLS is not supported here)")?;
		let (host, path) = rest.split_once('/').map_or((rest, String::new()), |(h, p)| (h, p.to_string()));
		Ok(Self { host: host.to_string(), path: format!("/{path}") })
	}

	pub fn call(&self, method: &str, params: serde_json::Value) -> Result<serde_json::Value> {
		let body = serde_json::json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
		let mut stream = TcpStream::connect(&self.host).map_err(|e| format!("{}: {e}", self.host))?;
		stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
		write!(
			stream,
			"POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
			self.path,
			self.host,
			body.len()
		)
		.map_err(|e| e.to_string())?;
		let mut response = Vec::new();
		stream.read_to_end(&mut response).map_err(|e| e.to_string())?;
		let response = String::from_utf8_lossy(&response);
		let (head, payload) = response.split_once("\r\n\r\n").ok_or("malformed HTTP response")?;
		let payload = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
			dechunk(payload)?
		} else {
			payload.to_string()
		};
		let mut reply: serde_json::Value =
			serde_json::from_str(&payload).map_err(|e| format!("{method}: {e}: {payload}"))?;
		if let Some(error) = reply.get("error") {
			return Err(format!("{method}: {error}"));
		}
		Ok(reply["result"].take())
	}

	/// A runtime API call at block `at`, its SCALE answer decoded.
	pub fn runtime_call<R: Decode>(&self, function: &str, args: &[u8], at: &str) -> Result<R> {
		let answer = self.call("state_call", serde_json::json!([function, hex(args), at]))?;
		let bytes = answer.as_str().and_then(unhex).ok_or_else(|| format!("{function}: not hex: {answer}"))?;
		R::decode(&mut &bytes[..]).map_err(|e| format!("{function}: {e}"))
	}
}

fn dechunk(mut body: &str) -> Result<String> {
	let mut out = String::new();
	loop {
		let (size, rest) = body.split_once("\r\n").ok_or("malformed chunk")?;
		let size = usize::from_str_radix(size.trim(), 16).map_err(|e| e.to_string())?;
		if size == 0 {
			return Ok(out);
		}
		out.push_str(rest.get(..size).ok_or("short chunk")?);
		body = rest.get(size + 2..).ok_or("short chunk")?;
	}
}
