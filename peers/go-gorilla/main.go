// A peer for side-by-side benchmarks: the benchmark subset of Fanwire's protocol on Go's gorilla/websocket,
// written the way a gorilla application would: the HS256 check before Upgrade (401 otherwise), a read
// goroutine and a write goroutine per connection with a bounded send queue, and a hub of topics that
// prepares each publication once (websocket.PreparedMessage) for every subscriber. Not a product.
//
//	peers/go-gorilla/bin/go-gorilla --port 9001 --secret <HS256 secret> [--host 127.0.0.1] [--api-key <key>]
//
// Built offline by peers/install.sh from Debian's golang-go and golang-github-gorilla-websocket-dev.
package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

const (
	leeway    = 30 * time.Second
	sendQueue = 4096
)

var (
	key    []byte
	apiKey string
	counts struct {
		messagesIn, bytesIn, messagesOut, deliveries, publications, drops, accepted, refused, active atomic.Int64
	}
	upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	hub      = &topics{byName: map[string]*topic{}}
)

// verify answers the token's sub when its HS256 signature and times hold, else "".
func verify(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return ""
	}
	var h struct{ Alg string `json:"alg"` }
	if json.Unmarshal(header, &h) != nil || h.Alg != "HS256" {
		return ""
	}
	given, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return ""
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(given, mac.Sum(nil)) {
		return ""
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Sub string   `json:"sub"`
		Exp *float64 `json:"exp"`
		Nbf *float64 `json:"nbf"`
	}
	if json.Unmarshal(body, &claims) != nil {
		return ""
	}
	now := float64(time.Now().Unix())
	if claims.Exp != nil && *claims.Exp+leeway.Seconds() < now {
		return ""
	}
	if claims.Nbf != nil && *claims.Nbf-leeway.Seconds() > now {
		return ""
	}
	return claims.Sub
}

// tokenOf finds the token (Authorization: Bearer, cookie access_token, subprotocol bearer.<token>) and the
// subprotocol to select.
func tokenOf(r *http.Request) (token, protocol string, ok bool) {
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		return strings.TrimSpace(auth[7:]), "", true
	}
	if c, err := r.Cookie("access_token"); err == nil {
		return c.Value, "", true
	}
	offered := websocket.Subprotocols(r)
	for _, p := range offered {
		if strings.HasPrefix(p, "bearer.") {
			protocol = p
			for _, q := range offered {
				if q == "fanwire.v1" {
					protocol = q
				}
			}
			return p[7:], protocol, true
		}
	}
	return "", "", false
}

func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

type outbound struct {
	prepared *websocket.PreparedMessage
	data     []byte
}

type conn struct {
	ws     *websocket.Conn
	user   string
	seq    int64
	send   chan outbound
	mu     sync.Mutex // guards topics and closed
	topics map[string]struct{}
	closed bool
}

type topic struct {
	epoch  string
	offset int64
	subs   map[*conn]struct{}
}

type topics struct {
	mu     sync.Mutex
	byName map[string]*topic
}

func (t *topics) get(name string) *topic {
	tp := t.byName[name]
	if tp == nil {
		var e [4]byte
		_, _ = rand.Read(e[:])
		tp = &topic{epoch: hex.EncodeToString(e[:]), subs: map[*conn]struct{}{}}
		t.byName[name] = tp
	}
	return tp
}

func (t *topics) subscribe(c *conn, name string) (string, int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tp := t.get(name)
	tp.subs[c] = struct{}{}
	return tp.epoch, tp.offset
}

func (t *topics) unsubscribe(c *conn, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tp := t.byName[name]; tp != nil {
		delete(tp.subs, c)
	}
}

// publish stamps one publication, prepares its frame once and queues it for every subscriber; a full queue
// drops the delivery and counts it.
func (t *topics) publish(name, typ string, data json.RawMessage) (string, int64, error) {
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	tp := t.get(name)
	tp.offset++
	counts.publications.Add(1)
	frame, err := json.Marshal(struct {
		Tp string          `json:"tp"`
		E  string          `json:"e"`
		O  int64           `json:"o"`
		C  string          `json:"c"`
		T  string          `json:"t"`
		P  json.RawMessage `json:"p"`
		V  int             `json:"v"`
	}{name, tp.epoch, tp.offset, "U", typ, data, 1})
	if err != nil {
		return "", 0, err
	}
	prepared, err := websocket.NewPreparedMessage(websocket.TextMessage, frame)
	if err != nil {
		return "", 0, err
	}
	for c := range tp.subs {
		select {
		case c.send <- outbound{prepared: prepared}:
			counts.deliveries.Add(1)
		default:
			counts.drops.Add(1)
		}
	}
	return tp.epoch, tp.offset, nil
}

// reply sends one server message; called from the connection's read goroutine only (seq is not shared).
func (c *conn) reply(category, typ string, payload any, cid any) {
	c.seq++
	m := struct {
		C   string `json:"c"`
		T   string `json:"t"`
		P   any    `json:"p"`
		ID  string `json:"id"`
		TS  string `json:"ts"`
		Seq int64  `json:"seq"`
		Cid any    `json:"cid,omitempty"`
		V   int    `json:"v"`
	}{category, typ, payload, uuid(), time.Now().UTC().Format(time.RFC3339Nano), c.seq, cid, 1}
	b, err := json.Marshal(m)
	if err != nil {
		return
	}
	select {
	case c.send <- outbound{data: b}:
		counts.messagesOut.Add(1)
	default:
		counts.drops.Add(1)
	}
}

type inbound struct {
	T       string          `json:"t"`
	Type    string          `json:"type"`
	P       json.RawMessage `json:"p"`
	Payload json.RawMessage `json:"payload"`
	Cid     any             `json:"cid"`
}

func (c *conn) handle(data []byte) {
	counts.messagesIn.Add(1)
	counts.bytesIn.Add(int64(len(data)))
	var m inbound
	if err := json.Unmarshal(data, &m); err != nil {
		c.reply("WSE", "error", map[string]any{"code": "INVALID_MESSAGE", "message": "not JSON", "recoverable": true}, nil)
		return
	}
	typ, p := m.T, m.P
	if typ == "" {
		typ = m.Type
	}
	if len(p) == 0 {
		p = m.Payload
	}
	switch typ {
	case "ping":
		var ping struct {
			Timestamp *float64 `json:"timestamp"`
		}
		_ = json.Unmarshal(p, &ping)
		now := time.Now().UnixMilli()
		pong := map[string]any{"server_timestamp": now, "latency": 0}
		if ping.Timestamp != nil {
			pong["client_timestamp"] = *ping.Timestamp
			pong["latency"] = float64(now) - *ping.Timestamp
		}
		c.reply("WSE", "PONG", pong, m.Cid)
	case "echo":
		if len(p) == 0 {
			p = json.RawMessage("{}")
		}
		c.reply("U", "echo", p, m.Cid)
	case "client_hello":
		c.reply("WSE", "server_hello", map[string]any{"version": 1,
			"features": map[string]bool{"compression": false, "msgpack": false}}, m.Cid)
	case "subscription", "subscription_update":
		var s struct {
			Action string   `json:"action"`
			Topics []string `json:"topics"`
		}
		_ = json.Unmarshal(p, &s)
		recovery := map[string]any{}
		names := []string{}
		for _, name := range s.Topics {
			if name == "" {
				continue
			}
			names = append(names, name)
			c.mu.Lock()
			if s.Action == "unsubscribe" {
				delete(c.topics, name)
				c.mu.Unlock()
				hub.unsubscribe(c, name)
				continue
			}
			c.topics[name] = struct{}{}
			c.mu.Unlock()
			epoch, offset := hub.subscribe(c, name)
			recovery[name] = map[string]any{"epoch": epoch, "offset": offset}
		}
		c.reply("WSE", "subscription_update", map[string]any{"success_topics": names,
			"failed_topics": []any{}, "recovery": recovery}, m.Cid)
	case "publish":
		var pub struct {
			Topic string          `json:"topic"`
			Type  string          `json:"type"`
			Data  json.RawMessage `json:"data"`
		}
		if json.Unmarshal(p, &pub) != nil || pub.Topic == "" {
			c.reply("WSE", "error", map[string]any{"code": "INVALID_MESSAGE", "message": "publish: topic missing",
				"recoverable": false}, m.Cid)
			return
		}
		if pub.Type == "" {
			pub.Type = "publication"
		}
		epoch, offset, err := hub.publish(pub.Topic, pub.Type, pub.Data)
		if err == nil && m.Cid != nil {
			c.reply("WSE", "publish_ack", map[string]any{"topic": pub.Topic, "epoch": epoch, "offset": offset}, m.Cid)
		}
	default:
		// pong, PONG and application messages: counted only, as Fanwire's count application does.
	}
}

func (c *conn) writeLoop() {
	for out := range c.send {
		var err error
		if out.prepared != nil {
			err = c.ws.WritePreparedMessage(out.prepared)
		} else {
			err = c.ws.WriteMessage(websocket.TextMessage, out.data)
		}
		if err != nil {
			_ = c.ws.Close()
			for range c.send {
				// drain until the reader closes the queue
			}
			return
		}
	}
	_ = c.ws.Close()
}

func serveWs(w http.ResponseWriter, r *http.Request) {
	token, protocol, found := tokenOf(r)
	user := ""
	if found {
		user = verify(token)
	}
	if user == "" {
		counts.refused.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"AUTH_FAILED"}`)
		return
	}
	var header http.Header
	if protocol != "" {
		header = http.Header{"Sec-Websocket-Protocol": {protocol}}
	}
	ws, err := upgrader.Upgrade(w, r, header)
	if err != nil {
		return // the upgrader answered the client
	}
	counts.accepted.Add(1)
	counts.active.Add(1)
	c := &conn{ws: ws, user: user, send: make(chan outbound, sendQueue), topics: map[string]struct{}{}}
	go c.writeLoop()
	ws.SetReadLimit(1 << 20)
	c.reply("WSE", "server_ready", map[string]any{"message": "Connection established", "details": map[string]any{
		"version":       1,
		"features":      map[string]bool{"compression": false, "msgpack": false, "encryption": false, "batch_messages": false},
		"connection_id": uuid(),
		"server_time":   time.Now().UTC().Format(time.RFC3339Nano),
		"user_id":       user,
	}}, nil)
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			break
		}
		c.handle(data)
	}
	c.mu.Lock()
	names := c.topics
	c.topics = map[string]struct{}{}
	c.mu.Unlock()
	for name := range names {
		hub.unsubscribe(c, name)
	}
	close(c.send)
	counts.active.Add(-1)
}

func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func cpuSeconds() float64 {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}

func metrics(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	for _, m := range []struct {
		name, kind string
		value      any
	}{
		{"fanwire_messages_in_total", "counter", counts.messagesIn.Load()},
		{"fanwire_bytes_in_total", "counter", counts.bytesIn.Load()},
		{"fanwire_messages_out_total", "counter", counts.messagesOut.Load()},
		{"fanwire_deliveries_total", "counter", counts.deliveries.Load()},
		{"fanwire_publications_total", "counter", counts.publications.Load()},
		{"fanwire_slow_consumer_drops_total", "counter", counts.drops.Load()},
		{"fanwire_connections_active", "gauge", counts.active.Load()},
		{"fanwire_connections_accepted_total", "counter", counts.accepted.Load()},
		{"fanwire_handshake_refusals_total", "counter", counts.refused.Load()},
		{"process_resident_memory_bytes", "gauge", rss()},
		{"process_cpu_seconds_total", "counter", cpuSeconds()},
	} {
		fmt.Fprintf(w, "# TYPE %s %s\n%s %v\n", m.name, m.kind, m.name, m.value)
	}
}

func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func apiPublish(w http.ResponseWriter, r *http.Request) {
	if apiKey == "" || r.Header.Get("X-API-Key") != apiKey {
		answer(w, 401, `{"error":"AUTH_FAILED"}`)
		return
	}
	if r.Method != http.MethodPost {
		answer(w, 405, `{"error":"METHOD_NOT_ALLOWED"}`)
		return
	}
	var body struct {
		Topic string          `json:"topic"`
		Type  string          `json:"type"`
		Data  json.RawMessage `json:"data"`
	}
	if json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body) != nil || body.Topic == "" {
		answer(w, 400, `{"error":"INVALID_MESSAGE"}`)
		return
	}
	if body.Type == "" {
		body.Type = "publication"
	}
	epoch, offset, err := hub.publish(body.Topic, body.Type, body.Data)
	if err != nil {
		answer(w, 400, `{"error":"INVALID_MESSAGE"}`)
		return
	}
	answer(w, 200, fmt.Sprintf(`{"epoch":%q,"offset":%d}`, epoch, offset))
}

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 9001, "port to listen on (0: any free port)")
	secret := flag.String("secret", os.Getenv("PEER_SECRET"), "HS256 secret (base64:... for bytes)")
	flag.StringVar(&apiKey, "api-key", os.Getenv("PEER_API_KEY"), "API key for POST /api/publish")
	flag.Parse()
	if *secret == "" {
		log.Fatal("--secret (or PEER_SECRET) is required")
	}
	if strings.HasPrefix(*secret, "base64:") {
		decoded, err := base64.StdEncoding.DecodeString((*secret)[7:])
		if err != nil {
			log.Fatalf("--secret: %v", err)
		}
		key = decoded
	} else {
		key = []byte(*secret)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/ws", serveWs)
	mux.HandleFunc("/wse", serveWs)
	mux.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) { answer(w, 200, `{"status":"ok"}`) })
	mux.HandleFunc("/health/ready", func(w http.ResponseWriter, _ *http.Request) { answer(w, 200, `{"status":"ok"}`) })
	mux.HandleFunc("/metrics", metrics)
	mux.HandleFunc("/api/publish", apiPublish)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { answer(w, 404, `{"error":"NOT_FOUND"}`) })

	listener, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		log.Fatal(err)
	}
	bound := listener.Addr().(*net.TCPAddr).Port
	fmt.Printf("go-gorilla peer listening on ws://%s:%d/ws (metrics http://%s:%d/metrics)\n", *host, bound, *host, bound)
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		_ = server.Close()
		os.Exit(0)
	}()
	if err := server.Serve(listener); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
