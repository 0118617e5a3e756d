package wasi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wasmcm/wasmcm/runtime"
)

// DefaultMaxRequestBody is the request body limit of an HTTPHandler whose
// MaxRequestBody is 0.
const DefaultMaxRequestBody = 64 << 20

// HTTPHandler serves HTTP requests with a component that exports
// wasi:http/incoming-handler@0.2.x (a wasi:http proxy), as wasmtime serve
// does: the component is compiled once and instantiated afresh for every
// request, so requests share no guest state, and the response body is
// streamed to the client as the guest writes it.
//
//	h, err := wasi.NewHTTPHandler(compiled, wasi.Config{AllowedHTTPHosts: []string{"api.example.com"}})
//	...
//	http.ListenAndServe("127.0.0.1:8080", h)
type HTTPHandler struct {
	// Compiled is the proxy component.
	Compiled *runtime.Compiled
	// Config is what every instance is granted (copied per request).
	Config Config
	// Link, when set, adds definitions of the embedder's own to a Linker
	// after WASI's. Linkers are reused, by one request at a time, so Link
	// runs once per Linker, not per request.
	Link func(*runtime.Linker) error
	// MaxRequestBody bounds a request body in bytes: larger ones are
	// refused with 413 when their length is declared, and end the guest's
	// stream with error-code.HTTP-request-body-size when it is not.
	// 0 means DefaultMaxRequestBody, negative means no limit.
	MaxRequestBody int64
	// Timeout, when positive, bounds each request's time in the guest (the
	// http.Server's WriteTimeout bounds a slow client). A guest running
	// past it is stopped when the Runtime was made with CloseOnContextDone
	// (as one whose client went away is); otherwise it only ends the
	// guest's waits.
	Timeout time.Duration
	// ErrorLog receives the reasons of failed requests; nil means the log
	// package's standard logger.
	ErrorLog *log.Logger

	// Prewarm is how many instances to keep made ahead of requests, so
	// that a request does not wait for its instantiation (each is used
	// once, as one made on arrival would be). 0 makes each on arrival.
	Prewarm int

	findOnce  sync.Once
	handle    string // the export's name
	findErr   error
	ready     chan *preparedInstance
	readyOnce sync.Once
	filling   atomic.Bool
	closed    atomic.Bool
	// idle holds Linkers with their WASI hosts between requests: defining
	// the WASI functions costs more than instantiating a small proxy, so
	// they are made once and reused by one request at a time, the host's
	// table emptied in between.
	idleOnce sync.Once
	idle     chan *linked
}

// linked is a Linker with the WASI host defined on it.
type linked struct {
	l *runtime.Linker
	h *Host
}

// maxIdle bounds the Linkers kept between requests.
const maxIdle = 64

func (hh *HTTPHandler) getLinked() (*linked, error) {
	hh.idleOnce.Do(func() { hh.idle = make(chan *linked, maxIdle) })
	select {
	case lk := <-hh.idle:
		return lk, nil
	default:
	}
	l := runtime.NewLinker()
	h, err := Add(l, hh.Config)
	if err != nil {
		return nil, err
	}
	if hh.Link != nil {
		if err := hh.Link(l); err != nil {
			h.Close()
			return nil, err
		}
	}
	return &linked{l, h}, nil
}

// putLinked empties the host's table (closing what the guest left open:
// bodies, requests in flight) and keeps the Linker for the next request.
func (hh *HTTPHandler) putLinked(lk *linked) {
	lk.h.reset()
	if hh.closed.Load() {
		lk.h.Close()
		return
	}
	select {
	case hh.idle <- lk:
	default:
		lk.h.Close()
	}
}

// preparedInstance is an instance not yet used, with what it was linked
// with.
type preparedInstance struct {
	lk   *linked
	inst *runtime.Instance
	fn   *runtime.Func
}

func (hh *HTTPHandler) instantiate(ctx context.Context) (*preparedInstance, error) {
	lk, err := hh.getLinked()
	if err != nil {
		return nil, err
	}
	inst, err := hh.Compiled.Instantiate(ctx, lk.l)
	if err != nil {
		hh.putLinked(lk)
		return nil, fmt.Errorf("instantiating: %w", err)
	}
	fn, err := inst.Func(hh.handle)
	if err != nil {
		inst.Close(ctx)
		hh.putLinked(lk)
		return nil, err
	}
	return &preparedInstance{lk, inst, fn}, nil
}

// prepared returns a fresh instance: one made ahead of time when Prewarm
// asks for them, else one made now. Taking one starts making its
// replacement in the background.
func (hh *HTTPHandler) prepared(ctx context.Context) (*preparedInstance, error) {
	if hh.Prewarm <= 0 {
		return hh.instantiate(ctx)
	}
	hh.readyOnce.Do(func() { hh.ready = make(chan *preparedInstance, hh.Prewarm) })
	defer hh.refill()
	select {
	case p := <-hh.ready:
		return p, nil
	default:
		return hh.instantiate(ctx)
	}
}

// refill makes instances until Prewarm are ready, in one goroutine at a
// time.
func (hh *HTTPHandler) refill() {
	if !hh.filling.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer hh.filling.Store(false)
		for len(hh.ready) < cap(hh.ready) && !hh.closed.Load() {
			p, err := hh.instantiate(context.Background())
			if err != nil {
				hh.logf("wasi:http: preparing an instance: %v", err)
				return
			}
			select {
			case hh.ready <- p:
			default:
				p.inst.Close(context.Background())
				hh.putLinked(p.lk)
				return
			}
		}
		if hh.closed.Load() {
			hh.Close() // one made while Close ran
		}
	}()
}

// Close releases the instances made ahead and the Linkers kept between
// requests (their preopened directories). Requests served after it make
// new ones, without preparing any ahead.
func (hh *HTTPHandler) Close() error {
	hh.closed.Store(true)
	hh.readyOnce.Do(func() {})
	for hh.ready != nil && len(hh.ready) > 0 {
		p := <-hh.ready
		p.inst.Close(context.Background())
		hh.putLinked(p.lk)
	}
	hh.idleOnce.Do(func() { hh.idle = make(chan *linked, maxIdle) })
	var errs []error
	for {
		select {
		case lk := <-hh.idle:
			errs = append(errs, lk.h.Close())
		default:
			return errors.Join(errs...)
		}
	}
}

// NewHTTPHandler returns a handler serving with c, after checking that c
// exports a wasi:http/incoming-handler 0.2.x.
func NewHTTPHandler(c *runtime.Compiled, cfg Config) (*HTTPHandler, error) {
	h := &HTTPHandler{Compiled: c, Config: cfg}
	if err := h.find(); err != nil {
		return nil, err
	}
	return h, nil
}

// find looks up the handle export once (a handler may be made as a struct
// literal, and serve requests concurrently from the start).
func (hh *HTTPHandler) find() error {
	hh.findOnce.Do(func() {
		for _, e := range hh.Compiled.Exports() {
			if strings.HasPrefix(e, ifHTTPIncoming+"@0.2.") && strings.HasSuffix(e, "#handle") {
				hh.handle = e
				return
			}
		}
		hh.findErr = errors.New("wasi: the component exports no wasi:http/incoming-handler@0.2.x#handle, so it is not a wasi:http proxy")
	})
	return hh.findErr
}

func (hh *HTTPHandler) logf(format string, args ...any) {
	if hh.ErrorLog != nil {
		hh.ErrorLog.Printf(format, args...)
	} else {
		log.Printf(format, args...)
	}
}

// responseState follows one request's response from the guest's
// response-outparam.set to the last byte sent.
type responseState struct {
	set    bool
	resp   *outgoingResponse
	code   *ErrorCode
	bad    error         // why the response set cannot be sent
	copied chan error    // the body copy's outcome, once started
	sent   chan struct{} // closed when the whole response is out
	// body is the response body, for complete from another goroutine.
	body atomic.Pointer[outgoingBody]
}

// complete reports whether the client can have the whole response: it is
// all sent, or the guest wrote all the bytes its content-length declares
// (the client may close then, while the guest has not finished the body).
func (st *responseState) complete() bool {
	select {
	case <-st.sent:
		return true
	default:
	}
	b := st.body.Load()
	return b != nil && b.length >= 0 && b.pipe.Written() >= b.length
}

// ServeHTTP implements http.Handler.
func (hh *HTTPHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := hh.find(); err != nil {
		hh.logf("wasi:http: %s %s: %v", r.Method, r.URL, err)
		http.Error(w, "the component is not a wasi:http proxy", http.StatusInternalServerError)
		return
	}
	limit := hh.MaxRequestBody
	if limit == 0 {
		limit = DefaultMaxRequestBody
	}
	if limit > 0 && r.ContentLength > limit {
		http.Error(w, fmt.Sprintf("request body of %d bytes is larger than the limit of %d", r.ContentLength, limit), http.StatusRequestEntityTooLarge)
		return
	}
	// The guest runs until the client goes away before its response is
	// complete, or Timeout: not until the client closes the connection
	// after the last byte, since a guest may still be finishing its work
	// (componentize-js runs its event loop to the end).
	st := &responseState{sent: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	stop := context.AfterFunc(r.Context(), func() {
		if !st.complete() {
			cancel()
		}
	})
	defer stop()
	if hh.Timeout > 0 {
		var cancelT context.CancelFunc
		ctx, cancelT = context.WithTimeout(ctx, hh.Timeout)
		defer cancelT()
	}
	if err := hh.serve(ctx, w, r, limit, st); err != nil {
		hh.logf("wasi:http: %s %s: %v", r.Method, r.URL.RequestURI(), err)
		if st.copied == nil {
			http.Error(w, "internal server error", http.StatusInternalServerError)
			return
		}
		// The status line is out: the only way left to say the response
		// failed is to cut the connection, as the reference host does.
		panic(http.ErrAbortHandler)
	}
}

func (hh *HTTPHandler) serve(ctx context.Context, w http.ResponseWriter, r *http.Request, limit int64, st *responseState) error {
	p, err := hh.prepared(ctx)
	if err != nil {
		return err
	}
	defer hh.putLinked(p.lk)
	defer p.inst.Close(context.WithoutCancel(ctx))
	h, fn := p.lk.h, p.fn

	// The guest reads the request body while it writes the response (an
	// echo), which HTTP/1 allows only when asked.
	http.NewResponseController(w).EnableFullDuplex()
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	hdr := r.Header.Clone()
	if r.Host != "" {
		hdr.Set("Host", r.Host)
	}
	req := &incomingRequest{
		method:        r.Method,
		pathWithQuery: r.URL.RequestURI(),
		scheme:        scheme,
		authority:     r.Host,
		incomingMessage: incomingMessage{
			headers: fieldsOf(hdr),
			body: &incomingBody{r: newBodyReader(r.Body, limit, false, func() http.Header {
				return r.Trailer
			})},
		},
	}
	reqV, err := h.add(req)
	if err != nil {
		return err
	}
	out := &responseOutparam{set: func(resp *outgoingResponse, code *ErrorCode) {
		if resp != nil && resp.status < 200 {
			// An informational status cannot end a request; net/http
			// would send it and then a 200 of its own.
			st.bad = fmt.Errorf("the guest's response has the informational status %d, which cannot be a final response", resp.status)
			if resp.body != nil {
				resp.body.pipe.CloseRead(st.bad)
			}
			resp = nil
		}
		st.set, st.resp, st.code = true, resp, code
		if resp != nil && resp.body != nil {
			st.body.Store(resp.body)
		}
		if resp != nil {
			st.copied = make(chan error, 1)
			go func() {
				err := sendResponse(w, resp)
				if err == nil {
					close(st.sent)
				}
				st.copied <- err
			}()
		}
	}}
	outV, err := h.add(out)
	if err != nil {
		return err
	}

	_, callErr := fn.Call(ctx, reqV, outV)
	if st.resp != nil && st.resp.body != nil {
		if callErr != nil {
			st.resp.body.pipe.CloseWrite(callErr)
		} else {
			// A body the guest neither finished nor dropped ends with the
			// instance, cleanly, as under the reference host; one it
			// dropped unfinished was cut short already.
			st.resp.body.pipe.CloseWrite(nil)
		}
	}
	switch {
	case callErr != nil && !st.set:
		return fmt.Errorf("the guest failed before setting the response: %w", callErr)
	case callErr != nil && st.copied != nil:
		<-st.copied
		return fmt.Errorf("the guest failed while sending the body: %w", callErr)
	case callErr != nil:
		return callErr
	case !st.set:
		return errors.New("the guest returned from wasi:http/incoming-handler.handle without setting the response-outparam")
	case st.bad != nil:
		return st.bad
	case st.code != nil:
		return fmt.Errorf("the guest set the response-outparam to an error: %v", st.code)
	}
	if err := <-st.copied; err != nil {
		return fmt.Errorf("sending the response body: %w", err)
	}
	return nil
}

// sendResponse writes the guest's response: status and headers at once,
// then the body as the guest writes it, flushed chunk by chunk so a
// streaming guest streams to the client, then the trailers.
func sendResponse(w http.ResponseWriter, resp *outgoingResponse) error {
	hdr := w.Header()
	for k, v := range resp.headers.header() {
		hdr[k] = v
	}
	if _, set := hdr["Content-Type"]; !set {
		// The guest's headers are the response's: no sniffed type.
		hdr["Content-Type"] = nil
	}
	b := resp.body
	w.WriteHeader(resp.status)
	if b == nil {
		return nil
	}
	rc := http.NewResponseController(w)
	buf := make([]byte, 64<<10)
	for {
		n, err := b.pipe.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				b.pipe.CloseRead(werr)
				return werr
			}
			rc.Flush()
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	b.mu.Lock()
	tr := b.trailers
	b.mu.Unlock()
	for k, v := range tr {
		hdr[http.TrailerPrefix+k] = v
	}
	return nil
}
