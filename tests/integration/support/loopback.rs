//! The listening socket every fake server in the tests is built on.

/// A tiny_http server on an ephemeral 127.0.0.1 port with Nagle's algorithm off.
///
/// tiny_http writes a response's head and body in two writes once the body outgrows its
/// 1 KiB buffer. With Nagle on, the body then waits for the client's delayed ACK of the head
/// (≈40 ms on Linux), which made every larger reply look 40 ms slow and hid agentc's own
/// time in the plan measurements. Linux hands `TCP_NODELAY` from the listener down to every
/// accepted connection.
pub fn http_server() -> tiny_http::Server {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
        .expect("create a TCP socket");
    socket.set_tcp_nodelay(true).expect("set TCP_NODELAY");
    socket.set_reuse_address(true).expect("set SO_REUSEADDR");
    let address: std::net::SocketAddr = "127.0.0.1:0".parse().expect("loopback address");
    socket.bind(&address.into()).expect("bind 127.0.0.1");
    socket.listen(128).expect("listen");
    let listener: std::net::TcpListener = socket.into();
    tiny_http::Server::from_listener(listener, None).expect("serve on 127.0.0.1")
}
