package webhook

import (
	"encoding/json"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

// Content types of the formats.
const (
	ContentTypeCloudEvents = "application/cloudevents+json; charset=utf-8"
	ContentTypeJSON        = "application/json"

	errFormat = "spec.forProvider.format: unknown format %q: use CloudEvents, Slack or Teams"
)

// Payload is the body and content type of ev in format f. id is the CloudEvents id; at is the
// event's time when ev names none.
func Payload(f v1alpha1.NotificationFormat, id string, at time.Time, ev v1alpha1.NotificationEvent) (body []byte, contentType string, err error) {
	switch f {
	case v1alpha1.FormatCloudEvents, "":
		body, err = json.Marshal(cloudEvent(id, at, ev))
		return body, ContentTypeCloudEvents, err
	case v1alpha1.FormatSlack:
		body, err = json.Marshal(slack(ev))
		return body, ContentTypeJSON, err
	case v1alpha1.FormatTeams:
		body, err = json.Marshal(teams(ev))
		return body, ContentTypeJSON, err
	}
	return nil, "", errors.Errorf(errFormat, f)
}

// cloudEvent is a CloudEvents 1.0 event in the JSON format's structured mode: the context
// attributes are top-level members and data is JSON.
func cloudEvent(id string, at time.Time, ev v1alpha1.NotificationEvent) map[string]any {
	if ev.Time != nil {
		at = ev.Time.Time
	}
	facts := make(map[string]string, len(ev.Facts))
	for _, f := range ev.Facts {
		facts[f.Name] = f.Value
	}
	ce := map[string]any{
		"specversion":     "1.0",
		"id":              id,
		"source":          ev.Source,
		"type":            ev.Type,
		"time":            at.UTC().Format(time.RFC3339),
		"datacontenttype": "application/json",
		"data":            map[string]any{"title": ev.Title, "text": ev.Text, "facts": facts},
	}
	if ev.Subject != "" {
		ce["subject"] = ev.Subject
	}
	return ce
}

// slack is an incoming-webhook message: text is the notification's fallback (what a
// notification banner shows), blocks lay it out; a section holds at most 10 fields.
func slack(ev v1alpha1.NotificationEvent) map[string]any {
	blocks := []any{map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": ev.Title}}}
	if ev.Text != "" {
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": ev.Text}})
	}
	for i := 0; i < len(ev.Facts); i += 10 {
		fields := make([]any, 0, 10)
		for _, f := range ev.Facts[i:min(i+10, len(ev.Facts))] {
			fields = append(fields, map[string]any{"type": "mrkdwn", "text": "*" + f.Name + "*\n" + f.Value})
		}
		blocks = append(blocks, map[string]any{"type": "section", "fields": fields})
	}
	text := ev.Title
	if ev.Text != "" {
		text += ": " + ev.Text
	}
	return map[string]any{"text": text, "blocks": blocks}
}

// teams is the message a Teams Workflows webhook ("When a Teams webhook request is received")
// posts: one Adaptive Card attachment.
func teams(ev v1alpha1.NotificationEvent) map[string]any {
	body := []any{map[string]any{"type": "TextBlock", "text": ev.Title, "weight": "Bolder", "size": "Medium", "wrap": true}}
	if ev.Text != "" {
		body = append(body, map[string]any{"type": "TextBlock", "text": ev.Text, "wrap": true})
	}
	if len(ev.Facts) > 0 {
		facts := make([]any, 0, len(ev.Facts))
		for _, f := range ev.Facts {
			facts = append(facts, map[string]any{"title": f.Name, "value": f.Value})
		}
		body = append(body, map[string]any{"type": "FactSet", "facts": facts})
	}
	return map[string]any{
		"type": "message",
		"attachments": []any{map[string]any{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"content": map[string]any{
				"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
				"type":    "AdaptiveCard",
				"version": "1.4",
				"body":    body,
			},
		}},
	}
}
