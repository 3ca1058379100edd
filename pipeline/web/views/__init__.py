"""One module per page (or per small family of pages): each view first asks access.allow what
this actor may do, then parses its request, asks the Site, and renders a template."""
