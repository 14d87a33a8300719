"""The web workspace (R-110…R-113): server-rendered pages over the same services as the CLI, with
the signed-in person as the actor. Routes parse, call a service, render; the rules live below."""
