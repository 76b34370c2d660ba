package webhook

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

// answers is a receiver that gives the listed answers in order, then 200 ok.
func answers(t *testing.T, codes []int, retryAfter string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(codes) {
			_, _ = w.Write([]byte("ok")) // what a Slack incoming webhook answers
			return
		}
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, http.StatusText(codes[i]), codes[i])
	}))
	t.Cleanup(s.Close)
	return s, &n
}

func TestSend(t *testing.T) {
	type want struct {
		answer   Answer
		err      string
		requests int32
	}
	cases := map[string]struct {
		reason     string
		codes      []int
		retryAfter string
		maxWait    time.Duration
		want       want
	}{
		"Accepted": {
			reason: "A 2xx answer is a delivery, on the first attempt.",
			want:   want{answer: Answer{StatusCode: 200, Body: "ok", Attempts: 1}, requests: 1},
		},
		"Unavailable": {
			reason: "5xx is retried until accepted.",
			codes:  []int{503, 502},
			want:   want{answer: Answer{StatusCode: 200, Body: "ok", Attempts: 3}, requests: 3},
		},
		"GaveUp": {
			reason: "After MaxAttempts failures the receiver's last answer is the error.",
			codes:  []int{500, 500, 500, 500},
			want:   want{answer: Answer{StatusCode: 500, Body: "Internal Server Error", Attempts: 3}, err: "receiver did not accept the notification after 3 attempts: 500 Internal Server Error: Internal Server Error", requests: 3},
		},
		"Refused": {
			reason: "A 4xx other than 408 and 429 cannot be fixed by sending the same body again.",
			codes:  []int{404},
			want:   want{answer: Answer{StatusCode: 404, Body: "Not Found", Attempts: 1}, err: "receiver refused the notification: 404 Not Found: Not Found", requests: 1},
		},
		"RetryAfterTooLong": {
			reason:     "A Retry-After beyond MaxWait ends the attempt: the managed reconciler's backoff retries later.",
			codes:      []int{429},
			retryAfter: "120",
			maxWait:    time.Second,
			want:       want{answer: Answer{StatusCode: 429, Body: "Too Many Requests", Attempts: 1}, err: "receiver did not accept the notification after 1 attempts: 429 Too Many Requests: Too Many Requests (asked to retry after 2m0s)", requests: 1},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, n := answers(t, tc.codes, tc.retryAfter)
			snd := &Sender{HTTP: s.Client(), MaxAttempts: 3, Backoff: time.Millisecond, MaxWait: tc.maxWait}
			a, err := snd.Send(context.Background(), Request{URL: s.URL, ContentType: ContentTypeJSON, Body: []byte(`{}`)})
			got := want{answer: a, requests: n.Load()}
			if err != nil {
				got.err = err.Error()
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nSend(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSendHonoursRetryAfter(t *testing.T) {
	s, _ := answers(t, []int{429}, "1")
	start := time.Now()
	snd := &Sender{HTTP: s.Client(), MaxAttempts: 2, Backoff: time.Millisecond, MaxWait: 5 * time.Second}
	if _, err := snd.Send(context.Background(), Request{URL: s.URL, Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("retried after %s; the receiver asked for Retry-After: 1", d)
	}
}

func TestSendTimeout(t *testing.T) {
	var n atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) == 1 {
			time.Sleep(200 * time.Millisecond)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.Close)
	hc := s.Client()
	hc.Timeout = 50 * time.Millisecond
	a, err := (&Sender{HTTP: hc, MaxAttempts: 2, Backoff: time.Millisecond}).Send(context.Background(), Request{URL: s.URL, Body: []byte(`{}`)})
	if err != nil || a.StatusCode != http.StatusNoContent || a.Attempts != 2 {
		t.Errorf("Send after a timeout: %+v, %v; want 204 on the second attempt", a, err)
	}
}

func TestSign(t *testing.T) {
	// RFC 4231 test case 2.
	got := Sign([]byte("Jefe"), []byte("what do ya want for nothing?"))
	want := "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got != want {
		t.Errorf("Sign: got %s, want %s", got, want)
	}
}

func TestPayload(t *testing.T) {
	at := time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC)
	ev := v1alpha1.NotificationEvent{Type: "dev.xapp.deploy.succeeded", Source: "/namespaces/shop/xapps/cart", Subject: "revision/3",
		Title: "cart revision 3 is live", Text: "image cart:1.3", Facts: []v1alpha1.Fact{{Name: "revision", Value: "3"}}}
	cases := map[string]struct {
		reason string
		format v1alpha1.NotificationFormat
		ct     string
		want   string
		err    string
	}{
		"CloudEvents": {
			reason: "Structured mode: context attributes at the top, data as JSON.",
			format: v1alpha1.FormatCloudEvents, ct: ContentTypeCloudEvents,
			want: `{"data":{"facts":{"revision":"3"},"text":"image cart:1.3","title":"cart revision 3 is live"},"datacontenttype":"application/json","id":"uid-1","source":"/namespaces/shop/xapps/cart","specversion":"1.0","subject":"revision/3","time":"2026-11-29T20:00:00Z","type":"dev.xapp.deploy.succeeded"}`,
		},
		"Slack": {
			reason: "text is the fallback a banner shows; blocks lay out title, text and facts.",
			format: v1alpha1.FormatSlack, ct: ContentTypeJSON,
			want: `{"blocks":[{"text":{"text":"cart revision 3 is live","type":"plain_text"},"type":"header"},{"text":{"text":"image cart:1.3","type":"mrkdwn"},"type":"section"},{"fields":[{"text":"*revision*\n3","type":"mrkdwn"}],"type":"section"}],"text":"cart revision 3 is live: image cart:1.3"}`,
		},
		"Teams": {
			reason: "A Workflows webhook message with one Adaptive Card.",
			format: v1alpha1.FormatTeams, ct: ContentTypeJSON,
			want: `{"attachments":[{"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","body":[{"size":"Medium","text":"cart revision 3 is live","type":"TextBlock","weight":"Bolder","wrap":true},{"text":"image cart:1.3","type":"TextBlock","wrap":true},{"facts":[{"title":"revision","value":"3"}],"type":"FactSet"}],"type":"AdaptiveCard","version":"1.4"},"contentType":"application/vnd.microsoft.card.adaptive"}],"type":"message"}`,
		},
		"Unknown": {
			reason: "A format the provider does not know is an error naming the field.",
			format: "Pager",
			err:    `spec.forProvider.format: unknown format "Pager": use CloudEvents, Slack or Teams`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			body, ct, err := Payload(tc.format, "uid-1", at, ev)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Errorf("%s\nPayload: got error %v, want %s", tc.reason, err, tc.err)
				}
				return
			}
			if err != nil || ct != tc.ct || !json.Valid(body) {
				t.Fatalf("%s\nPayload: %s, %v", tc.reason, ct, err)
			}
			if diff := cmp.Diff(tc.want, string(body)); diff != "" {
				t.Errorf("%s\nPayload: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
