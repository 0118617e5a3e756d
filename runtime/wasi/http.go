package wasi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime/wasi/internal/host"
)

// wasi:http interface names, at Version like the rest.
const (
	ifHTTPTypes    = "wasi:http/types@" + Version
	ifHTTPOutgoing = "wasi:http/outgoing-handler@" + Version
	ifHTTPIncoming = "wasi:http/incoming-handler"
)

// bodyBuffer is how much of a body the guest may have written ahead of
// the network: the write permit of body streams.
const bodyBuffer = 1 << 20

// Limits on what a guest may put in fields, so that a guest looping on
// append runs into an error instead of taking the host's memory.
const (
	maxFieldEntries = 1 << 14
	maxFieldBytes   = 1 << 20
)

// The cases of wasi:http/types.error-code, in the WIT's order.
const (
	ecDNSTimeout uint32 = iota
	ecDNSError
	ecDestinationNotFound
	ecDestinationUnavailable
	ecDestinationIPProhibited
	ecDestinationIPUnroutable
	ecConnectionRefused
	ecConnectionTerminated
	ecConnectionTimeout
	ecConnectionReadTimeout
	ecConnectionWriteTimeout
	ecConnectionLimitReached
	ecTLSProtocolError
	ecTLSCertificateError
	ecTLSAlertReceived
	ecHTTPRequestDenied
	ecHTTPRequestLengthRequired
	ecHTTPRequestBodySize
	ecHTTPRequestMethodInvalid
	ecHTTPRequestURIInvalid
	ecHTTPRequestURITooLong
	ecHTTPRequestHeaderSectionSize
	ecHTTPRequestHeaderSize
	ecHTTPRequestTrailerSectionSize
	ecHTTPRequestTrailerSize
	ecHTTPResponseIncomplete
	ecHTTPResponseHeaderSectionSize
	ecHTTPResponseHeaderSize
	ecHTTPResponseBodySize
	ecHTTPResponseTrailerSectionSize
	ecHTTPResponseTrailerSize
	ecHTTPResponseTransferCoding
	ecHTTPResponseContentCoding
	ecHTTPResponseTimeout
	ecHTTPUpgradeFailed
	ecHTTPProtocolError
	ecLoopDetected
	ecConfigurationError
	ecInternalError
)

var errorCodeNames = [...]string{
	"DNS-timeout", "DNS-error", "destination-not-found", "destination-unavailable",
	"destination-IP-prohibited", "destination-IP-unroutable", "connection-refused",
	"connection-terminated", "connection-timeout", "connection-read-timeout",
	"connection-write-timeout", "connection-limit-reached", "TLS-protocol-error",
	"TLS-certificate-error", "TLS-alert-received", "HTTP-request-denied",
	"HTTP-request-length-required", "HTTP-request-body-size", "HTTP-request-method-invalid",
	"HTTP-request-URI-invalid", "HTTP-request-URI-too-long", "HTTP-request-header-section-size",
	"HTTP-request-header-size", "HTTP-request-trailer-section-size", "HTTP-request-trailer-size",
	"HTTP-response-incomplete", "HTTP-response-header-section-size", "HTTP-response-header-size",
	"HTTP-response-body-size", "HTTP-response-trailer-section-size", "HTTP-response-trailer-size",
	"HTTP-response-transfer-coding", "HTTP-response-content-coding", "HTTP-response-timeout",
	"HTTP-upgrade-failed", "HTTP-protocol-error", "loop-detected", "configuration-error",
	"internal-error",
}

// ErrorCode is a wasi:http/types.error-code: Case is the case's index in
// the WIT, Payload its payload as a value (invalid when it has none).
// Failed requests and bodies carry one, so that the guest learns the
// reason in the spec's terms.
type ErrorCode struct {
	Case    uint32
	Payload canon.Value
}

// Name is the case's name in the WIT.
func (e *ErrorCode) Name() string {
	if int(e.Case) < len(errorCodeNames) {
		return errorCodeNames[e.Case]
	}
	return fmt.Sprintf("error-code case %d", e.Case)
}

func (e *ErrorCode) Error() string {
	s := "wasi:http error-code " + e.Name()
	if e.Case == ecInternalError {
		if p, ok := e.Payload.Payload(); ok {
			s += ": " + p.String()
		}
	}
	return s
}

func (e *ErrorCode) value() canon.Value { return canon.Variant(e.Case, e.Payload) }

func internalError(format string, args ...any) *ErrorCode {
	return &ErrorCode{ecInternalError, canon.Some(canon.String(fmt.Sprintf(format, args...)))}
}

// errorCodeOf maps a Go client error to the error-code that says it best.
func errorCodeOf(err error) *ErrorCode {
	var ec *ErrorCode
	if errors.As(err, &ec) {
		return ec
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsTimeout {
			return &ErrorCode{Case: ecDNSTimeout}
		}
		return &ErrorCode{ecDNSError, canon.Record(canon.Some(canon.String(dns.Err)), canon.None())}
	}
	var alert tls.AlertError
	if errors.As(err, &alert) {
		return &ErrorCode{ecTLSAlertReceived, canon.Record(canon.Some(canon.U8(uint8(alert))), canon.Some(canon.String(alert.Error())))}
	}
	var cert *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	if errors.As(err, &cert) || errors.As(err, &unknown) || errors.As(err, &host) {
		return &ErrorCode{Case: ecTLSCertificateError}
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return &ErrorCode{Case: ecConnectionRefused}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return &ErrorCode{Case: ecConnectionTerminated}
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return &ErrorCode{Case: ecDestinationUnavailable}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &ErrorCode{Case: ecHTTPResponseIncomplete}
	case errors.Is(err, context.DeadlineExceeded):
		return &ErrorCode{Case: ecConnectionTimeout}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &ErrorCode{Case: ecConnectionTimeout}
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return &ErrorCode{Case: ecDestinationUnavailable}
	}
	return internalError("%v", err)
}

// The header-error cases.
const (
	headerInvalidSyntax uint32 = iota
	headerForbidden
	headerImmutable
)

// forbiddenHeaders are the hop-by-hop headers (RFC 9110 7.6.1 and their
// relatives) that belong to one connection, so the host owns them: a
// guest may not set them, and incoming ones are not shown to it.
var forbiddenHeaders = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-authenticate": true,
	"proxy-authorization": true, "proxy-connection": true, "te": true,
	"transfer-encoding": true, "upgrade": true, "http2-settings": true,
}

// validFieldName reports whether name is an RFC 9110 token.
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validFieldValue rejects the control characters a field value may not
// hold (CR and LF above all, which would split the header section).
func validFieldValue(v []byte) bool {
	for _, c := range v {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

type fieldEntry struct {
	name  string // lower case
	value []byte
}

// fields is wasi:http/types.fields (headers and trailers). Names are kept
// in lower case, as HTTP/2 sends them and the reference's host reports them.
type fields struct {
	entries   []fieldEntry
	size      int
	immutable bool
	budget    *host.Budget // what the guest's additions are charged to
}

func (f *fields) check(name string, value []byte, checkValue bool) (string, *uint32) {
	if f.immutable {
		c := headerImmutable
		return "", &c
	}
	if !validFieldName(name) || (checkValue && !validFieldValue(value)) {
		c := headerInvalidSyntax
		return "", &c
	}
	name = strings.ToLower(name)
	if forbiddenHeaders[name] {
		c := headerForbidden
		return "", &c
	}
	return name, nil
}

func (f *fields) add(name string, value []byte) error {
	if len(f.entries) >= maxFieldEntries || f.size+len(name)+len(value) > maxFieldBytes {
		return fmt.Errorf("wasi:http: fields grow past %d entries or %d bytes", maxFieldEntries, maxFieldBytes)
	}
	if !f.budget.Take(len(name) + len(value)) {
		return fmt.Errorf("wasi:http: fields: %w", host.ErrBudget)
	}
	f.entries = append(f.entries, fieldEntry{name, bytes.Clone(value)})
	f.size += len(name) + len(value)
	return nil
}

func (f *fields) remove(name string) {
	out := f.entries[:0]
	for _, e := range f.entries {
		if e.name == name {
			f.size -= len(e.name) + len(e.value)
			continue
		}
		out = append(out, e)
	}
	f.entries = out
}

func (f *fields) get(name string) [][]byte {
	name = strings.ToLower(name)
	var out [][]byte
	for _, e := range f.entries {
		if e.name == name {
			out = append(out, e.value)
		}
	}
	return out
}

// frozen returns an immutable copy: what headers() of a request or
// response hands out, so the guest cannot change what the host sends.
func (f *fields) frozen() *fields {
	return &fields{entries: append([]fieldEntry(nil), f.entries...), size: f.size, immutable: true}
}

// header turns fields into a Go header.
func (f *fields) header() http.Header {
	h := make(http.Header, len(f.entries))
	for _, e := range f.entries {
		k := http.CanonicalHeaderKey(e.name)
		h[k] = append(h[k], string(e.value))
	}
	return h
}

// fieldsOf makes immutable fields of a Go header, leaving out the
// forbidden ones, names sorted so the guest sees a stable order.
func fieldsOf(h http.Header) *fields {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	f := &fields{immutable: true}
	for _, k := range names {
		lk := strings.ToLower(k)
		if forbiddenHeaders[lk] || !validFieldName(k) {
			continue
		}
		for _, v := range h[k] {
			f.entries = append(f.entries, fieldEntry{lk, []byte(v)})
			f.size += len(lk) + len(v)
		}
	}
	return f
}

// methodValue and methodOf convert between Go method names and the
// method variant.
var methodNames = [...]string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

func methodValue(m string) canon.Value {
	for i, n := range methodNames {
		if m == n {
			return canon.Variant(uint32(i), canon.Value{})
		}
	}
	return canon.Variant(uint32(len(methodNames)), canon.String(m))
}

func methodOf(v canon.Value) string {
	if int(v.Case()) < len(methodNames) {
		return methodNames[v.Case()]
	}
	p, _ := v.Payload()
	return p.String()
}

// scheme is "http", "https" or another scheme; "" for none.
func schemeValue(s string) canon.Value {
	switch s {
	case "":
		return canon.None()
	case "http":
		return canon.Some(canon.Variant(0, canon.Value{}))
	case "https":
		return canon.Some(canon.Variant(1, canon.Value{}))
	}
	return canon.Some(canon.Variant(2, canon.String(s)))
}

func schemeOf(opt canon.Value) string {
	v, ok := opt.Payload()
	if !ok {
		return ""
	}
	switch v.Case() {
	case 0:
		return "http"
	case 1:
		return "https"
	}
	p, _ := v.Payload()
	return p.String()
}

func optString(s *string) canon.Value {
	if s == nil {
		return canon.None()
	}
	return canon.Some(canon.String(*s))
}

func optStringOf(v canon.Value) *string {
	p, ok := v.Payload()
	if !ok {
		return nil
	}
	s := p.String()
	return &s
}

// incomingRequest is wasi:http/types.incoming-request.
type incomingRequest struct {
	method, pathWithQuery, scheme, authority string
	incomingMessage
}

// incomingMessage is what an incoming request and an incoming response
// share: their headers and a body the guest consumes once.
type incomingMessage struct {
	headers *fields
	body    *incomingBody // nil once consumed
}

// outgoingMessage is what an outgoing request and an outgoing response
// share: their headers and a body the guest takes once.
type outgoingMessage struct {
	headers   *fields
	body      *outgoingBody
	bodyTaken bool
}

// outgoingRequest is wasi:http/types.outgoing-request.
type outgoingRequest struct {
	method          string
	path, authority *string
	scheme          string
	outgoingMessage
	connect, first, between *time.Duration
}

// requestOptions is wasi:http/types.request-options.
type requestOptions struct {
	connect, first, between *time.Duration
}

// responseOutparam is wasi:http/types.response-outparam: set hands the
// response (or the error) to whoever serves the request.
type responseOutparam struct {
	set func(resp *outgoingResponse, code *ErrorCode)
}

// outgoingResponse is wasi:http/types.outgoing-response.
type outgoingResponse struct {
	status int
	outgoingMessage
}

// outgoingBody is wasi:http/types.outgoing-body: a pipe to the network.
type outgoingBody struct {
	pipe        *host.Pipe
	streamTaken bool
	length      int64 // the content-length the headers declare, or -1
	response    bool  // a response body (else a request's), for error codes
	mu          sync.Mutex
	trailers    http.Header
	finished    bool
}

func newOutgoingBody(h *fields, response bool, budget *host.Budget) *outgoingBody {
	b := &outgoingBody{pipe: host.NewPipe(bodyBuffer, budget), length: -1, response: response}
	if v := h.get("content-length"); len(v) == 1 {
		var n int64
		if _, err := fmt.Sscan(string(v[0]), &n); err == nil && n >= 0 {
			b.length = n
		}
	}
	return b
}

// Close is the drop of an outgoing-body not finished: the body ends short,
// which the other side sees as an incomplete message.
func (b *outgoingBody) Close() error {
	b.mu.Lock()
	done := b.finished
	b.mu.Unlock()
	if !done {
		b.pipe.CloseWrite(errors.New("wasi:http: the outgoing-body was dropped without finish"))
	}
	return nil
}

// incomingBody is wasi:http/types.incoming-body: a body from the network
// read through a wasi:io input-stream.
type incomingBody struct {
	r           *bodyReader
	streamTaken bool
}

// bodyReader reads a network body for the guest's input-stream and for
// the drain behind future-trailers, one Read at a time, and maps its
// failures to error-codes.
type bodyReader struct {
	mu       sync.Mutex
	r        io.ReadCloser
	limit    int64 // most bytes allowed, or -1
	n        int64
	response bool
	done     chan struct{} // closed at the end of the body
	err      error         // why the body failed, after done
	trailers func() http.Header
	once     sync.Once
}

func newBodyReader(r io.ReadCloser, limit int64, response bool, trailers func() http.Header) *bodyReader {
	return &bodyReader{r: r, limit: limit, response: response, done: make(chan struct{}), trailers: trailers}
}

func (b *bodyReader) finish(err error) {
	b.once.Do(func() {
		b.err = err
		close(b.done)
	})
}

func (b *bodyReader) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-b.done:
		if b.err != nil {
			return 0, b.err
		}
		return 0, io.EOF
	default:
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.limit >= 0 && b.n > b.limit {
		c := ecHTTPRequestBodySize
		if b.response {
			c = ecHTTPResponseBodySize
		}
		err = &ErrorCode{c, canon.Some(canon.U64(uint64(b.n)))}
		b.finish(err)
		return 0, err
	}
	if err == io.EOF {
		b.finish(nil)
	} else if err != nil {
		var ec *ErrorCode
		if !errors.As(err, &ec) {
			if b.response {
				ec = errorCodeOf(err)
			} else {
				ec = &ErrorCode{Case: ecConnectionTerminated}
			}
		}
		b.finish(ec)
		err = ec
	}
	return n, err
}

// drain reads the rest of the body in the background, so that trailers
// (which come after it) can arrive.
func (b *bodyReader) drain() {
	go func() {
		buf := make([]byte, 32<<10)
		for {
			if _, err := b.Read(buf); err != nil {
				return
			}
		}
	}()
}

func (b *bodyReader) Close() error { return b.r.Close() }

// futureTrailers is wasi:http/types.future-trailers.
type futureTrailers struct {
	r     *bodyReader
	taken bool
}

// incomingResponse is wasi:http/types.incoming-response.
type incomingResponse struct {
	status int
	incomingMessage
}

// Close releases a body the guest never consumed.
func (r *incomingResponse) Close() error {
	if r.body != nil {
		return r.body.r.Close()
	}
	return nil
}

// Close releases the network body behind a dropped incoming-body.
func (b *incomingBody) Close() error { return b.r.Close() }

// futureResponse is wasi:http/types.future-incoming-response.
type futureResponse struct {
	done   chan struct{}
	resp   *incomingResponse
	err    *ErrorCode
	taken  bool
	cancel context.CancelFunc
}

// Close cancels a request whose response the guest no longer wants.
func (f *futureResponse) Close() error {
	select {
	case <-f.done:
		if !f.taken && f.resp != nil {
			f.resp.body.r.Close()
		}
	default:
		f.cancel()
	}
	return nil
}

// take removes an owned handle's object from the table: the guest passed
// it to the host for good.
func take[T any](h *Host, v canon.Value, what string) (T, error) {
	obj, err := get[T](h, v, what)
	if err == nil {
		h.table.Remove(rep(v))
	}
	return obj, err
}

func headerResult(code *uint32) []canon.Value {
	if code == nil {
		return ok
	}
	return one(canon.Err(canon.Variant(*code, canon.Value{})))
}

var errUnit = []canon.Value{canon.Err(canon.Value{})}

func optDuration(d *time.Duration) canon.Value {
	if d == nil {
		return canon.None()
	}
	return canon.Some(canon.U64(uint64(*d)))
}

func durationOf(v canon.Value) *time.Duration {
	p, ok := v.Payload()
	if !ok {
		return nil
	}
	n := p.Uint()
	if n > uint64(1<<63-1) {
		n = 1<<63 - 1
	}
	d := time.Duration(n)
	return &d
}

func (h *Host) defineHTTP(d *definer) {
	h.defineFields(d)
	h.defineRequests(d)
	h.defineResponses(d)
	h.defineBodies(d)
	h.defineOutgoingHandler(d)
}

func (h *Host) defineFields(d *definer) {
	d.resource(ifHTTPTypes, "fields", h.drop)
	d.fn(ifHTTPTypes, "[constructor]fields", func(context.Context, []canon.Value) ([]canon.Value, error) {
		v, err := h.add(&fields{budget: &h.httpBudget})
		return one(v), err
	})
	d.fn(ifHTTPTypes, "[static]fields.from-list", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		f := &fields{budget: &h.httpBudget}
		for _, e := range args[0].Elems() {
			value := bytesOf(e.Index(1))
			name, code := f.check(e.Index(0).String(), value, true)
			if code != nil {
				return one(canon.Err(canon.Variant(*code, canon.Value{}))), nil
			}
			if err := f.add(name, value); err != nil {
				return nil, err
			}
		}
		v, err := h.add(f)
		return one(canon.Ok(v)), err
	})
	defineMethod(d, h, ifHTTPTypes, "[method]fields.get", func(_ context.Context, f *fields, args []canon.Value) ([]canon.Value, error) {
		vals := f.get(args[1].String())
		out := make([]canon.Value, len(vals))
		for i, v := range vals {
			out[i] = byteList(v)
		}
		return one(canon.List(out...)), nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]fields.has", func(_ context.Context, f *fields, args []canon.Value) ([]canon.Value, error) {
		return one(canon.Bool(len(f.get(args[1].String())) > 0)), nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]fields.set", func(_ context.Context, f *fields, args []canon.Value) ([]canon.Value, error) {
		vals := args[2].Elems()
		name, code := f.check(args[1].String(), nil, false)
		if code != nil {
			return headerResult(code), nil
		}
		values := make([][]byte, len(vals))
		for i, v := range vals {
			values[i] = bytesOf(v)
			if !validFieldValue(values[i]) {
				c := headerInvalidSyntax
				return headerResult(&c), nil
			}
		}
		f.remove(name)
		for _, v := range values {
			if err := f.add(name, v); err != nil {
				return nil, err
			}
		}
		return ok, nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]fields.delete", func(_ context.Context, f *fields, args []canon.Value) ([]canon.Value, error) {
		name, code := f.check(args[1].String(), nil, false)
		if code != nil {
			return headerResult(code), nil
		}
		f.remove(name)
		return ok, nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]fields.append", func(_ context.Context, f *fields, args []canon.Value) ([]canon.Value, error) {
		value := bytesOf(args[2])
		name, code := f.check(args[1].String(), value, true)
		if code != nil {
			return headerResult(code), nil
		}
		if err := f.add(name, value); err != nil {
			return nil, err
		}
		return ok, nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]fields.entries", func(_ context.Context, f *fields, args []canon.Value) ([]canon.Value, error) {
		out := make([]canon.Value, len(f.entries))
		for i, e := range f.entries {
			out[i] = canon.Tuple(canon.String(e.name), byteList(e.value))
		}
		return one(canon.List(out...)), nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]fields.clone", func(_ context.Context, f *fields, args []canon.Value) ([]canon.Value, error) {
		if !h.httpBudget.Take(f.size) {
			return nil, fmt.Errorf("wasi:http: fields.clone: %w", host.ErrBudget)
		}
		c := &fields{entries: append([]fieldEntry(nil), f.entries...), size: f.size, budget: &h.httpBudget}
		v, err := h.add(c)
		return one(v), err
	})
	d.fn(ifHTTPTypes, "http-error-code", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		e, err := get[*host.StreamError](h, args[0], "error")
		if err != nil {
			return nil, err
		}
		var ec *ErrorCode
		if errors.As(e.Err, &ec) {
			return one(canon.Some(ec.value())), nil
		}
		return one(canon.None()), nil
	})
}

func (h *Host) defineRequests(d *definer) {
	d.resource(ifHTTPTypes, "incoming-request", h.drop)
	defineMethod(d, h, ifHTTPTypes, "[method]incoming-request.method", func(_ context.Context, r *incomingRequest, args []canon.Value) ([]canon.Value, error) {
		return one(methodValue(r.method)), nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]incoming-request.path-with-query", func(_ context.Context, r *incomingRequest, args []canon.Value) ([]canon.Value, error) {
		return one(canon.Some(canon.String(r.pathWithQuery))), nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]incoming-request.scheme", func(_ context.Context, r *incomingRequest, args []canon.Value) ([]canon.Value, error) {
		return one(schemeValue(r.scheme)), nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]incoming-request.authority", func(_ context.Context, r *incomingRequest, args []canon.Value) ([]canon.Value, error) {
		if r.authority == "" {
			return one(canon.None()), nil
		}
		return one(canon.Some(canon.String(r.authority))), nil
	})
	h.defineIncoming(d, "incoming-request", func(v canon.Value) (*incomingMessage, error) {
		r, err := get[*incomingRequest](h, v, "incoming-request")
		if err != nil {
			return nil, err
		}
		return &r.incomingMessage, nil
	})

	d.resource(ifHTTPTypes, "outgoing-request", h.drop)
	d.fn(ifHTTPTypes, "[constructor]outgoing-request", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		f, err := take[*fields](h, args[0], "fields")
		if err != nil {
			return nil, err
		}
		v, err := h.add(&outgoingRequest{method: "GET", outgoingMessage: outgoingMessage{headers: f.frozen()}})
		return one(v), err
	})
	h.defineOutgoing(d, "outgoing-request", false, func(v canon.Value) (*outgoingMessage, error) {
		r, err := get[*outgoingRequest](h, v, "outgoing-request")
		if err != nil {
			return nil, err
		}
		return &r.outgoingMessage, nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]outgoing-request.method", func(_ context.Context, r *outgoingRequest, args []canon.Value) ([]canon.Value, error) {
		return one(methodValue(r.method)), nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]outgoing-request.set-method", func(_ context.Context, r *outgoingRequest, args []canon.Value) ([]canon.Value, error) {
		m := methodOf(args[1])
		if !validFieldName(m) { // a method is a token too
			return errUnit, nil
		}
		r.method = m
		return ok, nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]outgoing-request.path-with-query", func(_ context.Context, r *outgoingRequest, args []canon.Value) ([]canon.Value, error) {
		return one(optString(r.path)), nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]outgoing-request.set-path-with-query", func(_ context.Context, r *outgoingRequest, args []canon.Value) ([]canon.Value, error) {
		p := optStringOf(args[1])
		if p != nil && (strings.ContainsAny(*p, " \r\n\t#") || (*p != "" && !strings.HasPrefix(*p, "/") && !strings.HasPrefix(*p, "?") && *p != "*")) {
			return errUnit, nil
		}
		r.path = p
		return ok, nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]outgoing-request.scheme", func(_ context.Context, r *outgoingRequest, args []canon.Value) ([]canon.Value, error) {
		return one(schemeValue(r.scheme)), nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]outgoing-request.set-scheme", func(_ context.Context, r *outgoingRequest, args []canon.Value) ([]canon.Value, error) {
		s := schemeOf(args[1])
		if s != "" && s != "http" && s != "https" && !validScheme(s) {
			return errUnit, nil
		}
		r.scheme = s
		return ok, nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]outgoing-request.authority", func(_ context.Context, r *outgoingRequest, args []canon.Value) ([]canon.Value, error) {
		return one(optString(r.authority)), nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]outgoing-request.set-authority", func(_ context.Context, r *outgoingRequest, args []canon.Value) ([]canon.Value, error) {
		a := optStringOf(args[1])
		if a != nil && strings.ContainsAny(*a, " /?#@\r\n\t") {
			return errUnit, nil
		}
		r.authority = a
		return ok, nil
	})

	d.resource(ifHTTPTypes, "request-options", h.drop)
	d.fn(ifHTTPTypes, "[constructor]request-options", func(context.Context, []canon.Value) ([]canon.Value, error) {
		v, err := h.add(&requestOptions{})
		return one(v), err
	})
	for _, o := range []struct {
		name string
		f    func(*requestOptions) **time.Duration
	}{
		{"connect-timeout", func(r *requestOptions) **time.Duration { return &r.connect }},
		{"first-byte-timeout", func(r *requestOptions) **time.Duration { return &r.first }},
		{"between-bytes-timeout", func(r *requestOptions) **time.Duration { return &r.between }},
	} {
		defineMethod(d, h, ifHTTPTypes, "[method]request-options."+o.name, func(_ context.Context, r *requestOptions, args []canon.Value) ([]canon.Value, error) {
			return one(optDuration(*o.f(r))), nil
		})
		defineMethod(d, h, ifHTTPTypes, "[method]request-options.set-"+o.name, func(_ context.Context, r *requestOptions, args []canon.Value) ([]canon.Value, error) {
			*o.f(r) = durationOf(args[1])
			return ok, nil
		})
	}
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !alpha && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}

func (h *Host) defineResponses(d *definer) {
	d.resource(ifHTTPTypes, "response-outparam", h.drop)
	d.fn(ifHTTPTypes, "[static]response-outparam.set", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		p, err := take[*responseOutparam](h, args[0], "response-outparam")
		if err != nil {
			return nil, err
		}
		res := args[1]
		payload, _ := res.Payload()
		if res.Case() == 0 {
			r, err := take[*outgoingResponse](h, payload, "outgoing-response")
			if err != nil {
				return nil, err
			}
			p.set(r, nil)
			return none, nil
		}
		pl, _ := payload.Payload()
		p.set(nil, &ErrorCode{payload.Case(), pl})
		return none, nil
	})
	d.fn(ifHTTPTypes, "[method]response-outparam.send-informational", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		// Informational responses are an unstable feature the host does
		// not offer.
		return one(canon.Err((&ErrorCode{Case: ecHTTPProtocolError}).value())), nil
	})

	d.resource(ifHTTPTypes, "outgoing-response", h.drop)
	d.fn(ifHTTPTypes, "[constructor]outgoing-response", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		f, err := take[*fields](h, args[0], "fields")
		if err != nil {
			return nil, err
		}
		v, err := h.add(&outgoingResponse{status: 200, outgoingMessage: outgoingMessage{headers: f.frozen()}})
		return one(v), err
	})
	defineMethod(d, h, ifHTTPTypes, "[method]outgoing-response.status-code", func(_ context.Context, r *outgoingResponse, args []canon.Value) ([]canon.Value, error) {
		return one(canon.U16(uint16(r.status))), nil
	})
	defineMethod(d, h, ifHTTPTypes, "[method]outgoing-response.set-status-code", func(_ context.Context, r *outgoingResponse, args []canon.Value) ([]canon.Value, error) {
		s := int(args[1].Uint())
		if s < 100 || s > 999 {
			return errUnit, nil
		}
		r.status = s
		return ok, nil
	})
	h.defineOutgoing(d, "outgoing-response", true, func(v canon.Value) (*outgoingMessage, error) {
		r, err := get[*outgoingResponse](h, v, "outgoing-response")
		if err != nil {
			return nil, err
		}
		return &r.outgoingMessage, nil
	})

	d.resource(ifHTTPTypes, "incoming-response", h.drop)
	defineMethod(d, h, ifHTTPTypes, "[method]incoming-response.status", func(_ context.Context, r *incomingResponse, args []canon.Value) ([]canon.Value, error) {
		return one(canon.U16(uint16(r.status))), nil
	})
	h.defineIncoming(d, "incoming-response", func(v canon.Value) (*incomingMessage, error) {
		r, err := get[*incomingResponse](h, v, "incoming-response")
		if err != nil {
			return nil, err
		}
		return &r.incomingMessage, nil
	})

	d.resource(ifHTTPTypes, "future-incoming-response", h.drop)
	defineMethod(d, h, ifHTTPTypes, "[method]future-incoming-response.subscribe", func(_ context.Context, f *futureResponse, args []canon.Value) ([]canon.Value, error) {
		v, err := h.add(host.Signal(f.done))
		return one(v), err
	})
	defineMethod(d, h, ifHTTPTypes, "[method]future-incoming-response.get", func(_ context.Context, f *futureResponse, args []canon.Value) ([]canon.Value, error) {
		select {
		case <-f.done:
		default:
			return one(canon.None()), nil
		}
		if f.taken {
			return one(canon.Some(canon.Err(canon.Value{}))), nil
		}
		f.taken = true
		if f.err != nil {
			return one(canon.Some(canon.Ok(canon.Err(f.err.value())))), nil
		}
		v, err := h.add(f.resp)
		return one(canon.Some(canon.Ok(canon.Ok(v)))), err
	})
}

func (h *Host) defineBodies(d *definer) {
	d.resource(ifHTTPTypes, "incoming-body", h.drop)
	defineMethod(d, h, ifHTTPTypes, "[method]incoming-body.stream", func(_ context.Context, b *incomingBody, args []canon.Value) ([]canon.Value, error) {
		if b.streamTaken {
			return errUnit, nil
		}
		b.streamTaken = true
		v, err := h.add(host.NewReaderStream(b.r))
		return one(canon.Ok(v)), err
	})
	d.fn(ifHTTPTypes, "[static]incoming-body.finish", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		b, err := take[*incomingBody](h, args[0], "incoming-body")
		if err != nil {
			return nil, err
		}
		b.r.drain()
		v, err := h.add(&futureTrailers{r: b.r})
		return one(v), err
	})

	d.resource(ifHTTPTypes, "future-trailers", h.drop)
	defineMethod(d, h, ifHTTPTypes, "[method]future-trailers.subscribe", func(_ context.Context, f *futureTrailers, args []canon.Value) ([]canon.Value, error) {
		v, err := h.add(host.Signal(f.r.done))
		return one(v), err
	})
	defineMethod(d, h, ifHTTPTypes, "[method]future-trailers.get", func(_ context.Context, f *futureTrailers, args []canon.Value) ([]canon.Value, error) {
		select {
		case <-f.r.done:
		default:
			return one(canon.None()), nil
		}
		if f.taken {
			return one(canon.Some(canon.Err(canon.Value{}))), nil
		}
		f.taken = true
		if f.r.err != nil {
			return one(canon.Some(canon.Ok(canon.Err(errorCodeOf(f.r.err).value())))), nil
		}
		var tr http.Header
		if f.r.trailers != nil {
			tr = f.r.trailers()
		}
		if len(tr) == 0 {
			return one(canon.Some(canon.Ok(canon.Ok(canon.None())))), nil
		}
		v, err := h.add(fieldsOf(tr))
		return one(canon.Some(canon.Ok(canon.Ok(canon.Some(v))))), err
	})

	d.resource(ifHTTPTypes, "outgoing-body", h.drop)
	defineMethod(d, h, ifHTTPTypes, "[method]outgoing-body.write", func(_ context.Context, b *outgoingBody, args []canon.Value) ([]canon.Value, error) {
		if b.streamTaken {
			return errUnit, nil
		}
		b.streamTaken = true
		v, err := h.add(b.pipe.Stream())
		return one(canon.Ok(v)), err
	})
	d.fn(ifHTTPTypes, "[static]outgoing-body.finish", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		b, err := take[*outgoingBody](h, args[0], "outgoing-body")
		if err != nil {
			return nil, err
		}
		var tr http.Header
		if p, has := args[1].Payload(); has {
			f, err := take[*fields](h, p, "fields")
			if err != nil {
				return nil, err
			}
			tr = f.header()
		}
		b.mu.Lock()
		b.finished, b.trailers = true, tr
		b.mu.Unlock()
		if n := b.pipe.Written(); b.length >= 0 && n != b.length {
			c := ecHTTPRequestBodySize
			if b.response {
				c = ecHTTPResponseBodySize
			}
			ec := &ErrorCode{c, canon.Some(canon.U64(uint64(n)))}
			b.pipe.CloseWrite(ec)
			return one(canon.Err(ec.value())), nil
		}
		b.pipe.CloseWrite(nil)
		return ok, nil
	})
}

func (h *Host) defineOutgoingHandler(d *definer) {
	d.fn(ifHTTPOutgoing, "handle", func(ctx context.Context, args []canon.Value) ([]canon.Value, error) {
		r, err := take[*outgoingRequest](h, args[0], "outgoing-request")
		if err != nil {
			return nil, err
		}
		if p, has := args[1].Payload(); has {
			o, err := take[*requestOptions](h, p, "request-options")
			if err != nil {
				return nil, err
			}
			r.connect, r.first, r.between = o.connect, o.first, o.between
		}
		fut, ec := h.send(r)
		if ec != nil {
			if r.body != nil {
				r.body.pipe.CloseRead(ec)
			}
			return one(canon.Err(ec.value())), nil
		}
		v, err := h.add(fut)
		return one(canon.Ok(v)), err
	})
}

// requestTimers carry out request-options' timeouts: connect until the
// connection is made, first-byte from the request's end until the response
// starts. The one that fires cancels the request and names its error-code.
type requestTimers struct {
	cancel   context.CancelFunc
	fired    atomic.Uint32
	mu       sync.Mutex
	connect  *time.Timer
	first    *time.Timer
	gotFirst bool
}

func (tm *requestTimers) arm(d *time.Duration, code uint32) *time.Timer {
	if d == nil {
		return nil
	}
	return time.AfterFunc(*d, func() {
		tm.fired.CompareAndSwap(0, code)
		tm.cancel()
	})
}

func (tm *requestTimers) stop(t **time.Timer) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if *t != nil {
		(*t).Stop()
	}
}

// betweenBytes enforces between-bytes-timeout on a response body: a read
// waiting longer cancels the request, and fails with connection-read-timeout.
type betweenBytes struct {
	r  io.ReadCloser
	d  time.Duration
	tm *requestTimers
}

func (b *betweenBytes) Read(p []byte) (int, error) {
	t := b.tm.arm(&b.d, ecConnectionReadTimeout)
	n, err := b.r.Read(p)
	t.Stop()
	if err != nil && err != io.EOF && b.tm.fired.Load() == ecConnectionReadTimeout {
		err = &ErrorCode{Case: ecConnectionReadTimeout}
	}
	return n, err
}

func (b *betweenBytes) Close() error { return b.r.Close() }

// trailerReader is a streamed request body: at its end it hands the
// guest's trailers to the transport, in the transport's goroutine.
type trailerReader struct {
	b   *outgoingBody
	req *http.Request
}

func (t *trailerReader) Read(p []byte) (int, error) {
	n, err := t.b.pipe.Read(p)
	if err == io.EOF {
		t.b.mu.Lock()
		for k, v := range t.b.trailers {
			t.req.Trailer[k] = v
		}
		t.b.mu.Unlock()
	}
	return n, err
}

func (t *trailerReader) Close() error { return t.b.pipe.Close() }

// maxOutgoing bounds one guest's outgoing requests in flight (until their
// response body ends or is dropped); more get connection-limit-reached.
const maxOutgoing = 100

// httpBudgetMax bounds the bytes one guest's wasi:http objects hold in
// host memory: body buffers and the fields it makes.
const httpBudgetMax = 64 << 20

// releasing is a response body that gives its request's slot back when it
// ends or is closed.
type releasing struct {
	r       io.ReadCloser
	release func()
}

func (r *releasing) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil {
		r.release()
	}
	return n, err
}

func (r *releasing) Close() error {
	r.release()
	return r.r.Close()
}

// allowed reports whether Config grants requests to authority.
func (h *Host) allowed(authority string) bool {
	hostname := authority
	if hst, _, err := net.SplitHostPort(authority); err == nil {
		hostname = hst
	}
	for _, a := range h.cfg.AllowedHTTPHosts {
		if a == "*" || strings.EqualFold(a, authority) || strings.EqualFold(strings.TrimSuffix(strings.TrimPrefix(a, "["), "]"), hostname) {
			return true
		}
		// "*.example.com" is any name below example.com (not itself).
		if sub, ok := strings.CutPrefix(a, "*."); ok && len(hostname) > len(sub)+1 &&
			strings.EqualFold(hostname[len(hostname)-len(sub):], sub) && hostname[len(hostname)-len(sub)-1] == '.' {
			return true
		}
	}
	return false
}

// send starts an outgoing request: checked against the grant, sent by
// the transport in the background, its response behind the future.
func (h *Host) send(r *outgoingRequest) (*futureResponse, *ErrorCode) {
	if r.authority == nil || *r.authority == "" {
		return nil, &ErrorCode{Case: ecHTTPRequestURIInvalid}
	}
	if !h.allowed(*r.authority) {
		return nil, &ErrorCode{Case: ecHTTPRequestDenied}
	}
	if h.outgoing.Add(1) > maxOutgoing {
		h.outgoing.Add(-1)
		return nil, &ErrorCode{Case: ecConnectionLimitReached}
	}
	var once sync.Once
	release := func() { once.Do(func() { h.outgoing.Add(-1) }) }
	scheme := r.scheme
	if scheme == "" {
		scheme = "https"
	}
	if scheme != "http" && scheme != "https" {
		return nil, &ErrorCode{Case: ecHTTPProtocolError}
	}
	path := "/"
	if r.path != nil && *r.path != "" {
		path = *r.path
		if path[0] == '?' {
			path = "/" + path
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, r.method, scheme+"://"+*r.authority+path, nil)
	if err != nil {
		cancel()
		return nil, &ErrorCode{Case: ecHTTPRequestURIInvalid}
	}
	req.Header = r.headers.header()
	req.Header.Del("Host")
	rt := h.cfg.HTTPTransport
	if rt == nil {
		rt = http.DefaultTransport
	}
	f := &futureResponse{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(f.done)
		defer func() {
			if f.resp == nil {
				release()
			}
		}()
		if r.body != nil {
			// Wait for the guest's first bytes: a body finished at once is
			// sent with its length instead of chunked.
			all, complete, err := r.body.pipe.Settle(ctx)
			if err != nil {
				f.err = errorCodeOf(err)
				return
			}
			if complete {
				req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(all)), int64(len(all))
				if len(all) == 0 {
					req.Body = http.NoBody
				}
			} else {
				// Streamed: trailers the guest gives at finish follow the
				// body (filled in when the transport reads its end).
				req.Trailer = http.Header{}
				req.Body, req.ContentLength = &trailerReader{r.body, req}, r.body.length
			}
		}
		tm := &requestTimers{cancel: cancel}
		tm.connect = tm.arm(r.connect, ecConnectionTimeout)
		req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			GotConn: func(httptrace.GotConnInfo) { tm.stop(&tm.connect) },
			WroteRequest: func(httptrace.WroteRequestInfo) {
				tm.mu.Lock()
				defer tm.mu.Unlock()
				if !tm.gotFirst && tm.first == nil {
					tm.first = tm.arm(r.first, ecHTTPResponseTimeout)
				}
			},
			GotFirstResponseByte: func() {
				tm.mu.Lock()
				defer tm.mu.Unlock()
				tm.gotFirst = true
				if tm.first != nil {
					tm.first.Stop()
				}
			},
		}))
		resp, err := rt.RoundTrip(req)
		tm.stop(&tm.connect)
		if err != nil {
			if r.body != nil {
				r.body.pipe.CloseRead(err)
			}
			if c := tm.fired.Load(); c != 0 {
				f.err = &ErrorCode{Case: c}
			} else {
				f.err = errorCodeOf(err)
			}
			return
		}
		var body io.ReadCloser = resp.Body
		if r.between != nil {
			body = &betweenBytes{r: resp.Body, d: *r.between, tm: tm}
		}
		f.resp = &incomingResponse{status: resp.StatusCode, incomingMessage: incomingMessage{
			headers: fieldsOf(resp.Header),
			body: &incomingBody{r: newBodyReader(&releasing{body, release}, -1, true, func() http.Header {
				return resp.Trailer
			})},
		}}
	}()
	return f, nil
}

// defineIncoming defines the headers and consume methods of res, an
// incoming request or response.
func (h *Host) defineIncoming(d *definer, res string, msg func(canon.Value) (*incomingMessage, error)) {
	d.fn(ifHTTPTypes, "[method]"+res+".headers", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		m, err := msg(args[0])
		if err != nil {
			return nil, err
		}
		v, err := h.add(m.headers)
		return one(v), err
	})
	d.fn(ifHTTPTypes, "[method]"+res+".consume", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		m, err := msg(args[0])
		if err != nil {
			return nil, err
		}
		if m.body == nil {
			return errUnit, nil
		}
		v, err := h.add(m.body)
		m.body = nil
		return one(canon.Ok(v)), err
	})
}

// defineOutgoing defines the headers and body methods of res, an outgoing
// request or (response set) response.
func (h *Host) defineOutgoing(d *definer, res string, response bool, msg func(canon.Value) (*outgoingMessage, error)) {
	d.fn(ifHTTPTypes, "[method]"+res+".headers", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		m, err := msg(args[0])
		if err != nil {
			return nil, err
		}
		v, err := h.add(m.headers)
		return one(v), err
	})
	d.fn(ifHTTPTypes, "[method]"+res+".body", func(_ context.Context, args []canon.Value) ([]canon.Value, error) {
		m, err := msg(args[0])
		if err != nil {
			return nil, err
		}
		if m.bodyTaken {
			return errUnit, nil
		}
		m.bodyTaken = true
		m.body = newOutgoingBody(m.headers, response, &h.httpBudget)
		v, err := h.add(m.body)
		return one(canon.Ok(v)), err
	})
}
