"""`{% fixed %}…{% endfixed %}`: template text that depends on nothing but the language,
drawn once per language and kept.

A page's fixed parts — a table's column headers, the live announcer's strings, buttons
that link to named routes — are dozens of {% translate %}, {% blocktranslate %} and
{% url %} nodes, each looked up anew on every request (a translation catalogue, the
URL resolver) for the same text. Inside {% fixed %} only those tags are allowed, with
literal arguments, and plain text: the parser refuses a variable, a filter, a condition
or a {% csrf_token %}, so what is kept can never be one person's. The kept text is keyed
by language, script prefix and URL configuration (`web.routes.route_key`: what {% url %}
depends on).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Node, NodeList, TextNode, TokenType, Variable
from django.template.defaulttags import URLNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.templatetags.static import StaticNode
from django.utils.safestring import SafeString, mark_safe

from web.routes import route_key

register = template.Library()


def _literal(expression: Any) -> bool:
    """A FilterExpression of a constant (a quoted string, a number) and no filter."""
    if expression.filters:
        return False
    var = expression.var
    return var.lookups is None if isinstance(var, Variable) else True


def _names_only_from(node: BlockTranslateNode) -> bool:
    """Every {{ name }} inside the block is one of its own literal `with`/`count` values."""
    own = {*node.extra_context, *([node.countervar] if node.counter is not None else [])}
    tokens = [*node.singular, *(node.plural or [])]
    return all(t.contents in own for t in tokens if t.token_type == TokenType.VAR)


def _fixed(node: Node) -> bool:
    """Whether `node` draws the same text for everyone who reads the same language."""
    if isinstance(node, TextNode):
        return True
    if isinstance(node, TranslateNode):
        return _literal(node.filter_expression) and not node.asvar
    if isinstance(node, BlockTranslateNode):
        values = [*node.extra_context.values()]
        if node.counter is not None:
            values.append(node.counter)
        return all(_literal(v) for v in values) and _names_only_from(node) and not node.asvar
    if isinstance(node, URLNode):
        arguments = [*node.args, *node.kwargs.values()]
        return _literal(node.view_name) and all(_literal(a) for a in arguments) and not node.asvar
    if isinstance(node, StaticNode):
        return _literal(node.path) and not node.varname
    return False


class FixedNode(Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist
        self.kept: dict[tuple[str, str, str | None], SafeString] = {}

    def render(self, context: template.Context) -> SafeString:
        key = route_key()
        text = self.kept.get(key)
        if text is None:
            text = self.kept[key] = mark_safe(self.nodelist.render(context))  # noqa: S308
        return text


@register.tag
def fixed(parser: template.base.Parser, token: template.base.Token) -> FixedNode:
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    for node in nodelist:
        if not _fixed(node):
            raise template.TemplateSyntaxError(
                "{% fixed %} holds only text and {% translate %}, {% blocktranslate %}, "
                f"{{% url %}} and {{% static %}} with literal arguments, not {node!r}"
            )
    return FixedNode(nodelist)
