var web_server_protocol = "https";
var web_server_name = "ucsvreceweb.example.com";
var spog_context_path = "/system/web/view/platform/spog/";
var web_server_name = "chat.example.com";
