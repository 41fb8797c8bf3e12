"""Controlled vocabularies of the registry, each value with its Chinese and English label."""

from __future__ import annotations

INDUSTRIES = {
    "petrochemical": ("石油化工", "petrochemical"),
    "fine_chemical": ("精细化工", "fine chemical"),
    "new_materials": ("新材料", "new materials"),
    "pharmaceutical": ("医药化工", "pharmaceutical"),
    "energy": ("能源", "energy"),
    "logistics": ("仓储物流", "storage and logistics"),
    "environmental_services": ("环保基础设施", "environmental services"),
    "other": ("其他", "other"),
}
SIZE_CLASSES = {
    "large": ("大型", "large"),
    "medium": ("中型", "medium"),
    "small": ("小型", "small"),
    "micro": ("微型", "micro"),
}
# Pollutant-discharge permit management classes (排污许可分类管理).
POLLUTION_CLASSES = {
    "key": ("重点管理", "key management"),
    "simplified": ("简化管理", "simplified management"),
    "registration": ("登记管理", "registration"),
}
SOURCE_KINDS = {
    "stack": ("有组织排气筒", "stack"),
    "wastewater_outlet": ("废水排放口", "wastewater outlet"),
    "fugitive_area": ("无组织排放面源", "fugitive area"),
}
DISCHARGE_DESTINATIONS = {
    "direct": ("直接排放", "direct discharge to a water body"),
    "indirect": ("间接排放", "indirect discharge to the park's wastewater plant"),
}
POINT_KINDS = {
    "stack_cems": ("烟气在线监测", "stack CEMS"),
    "wastewater_outlet": ("废水排放口在线监测", "wastewater outlet"),
    "boundary_vocs": ("厂界VOCs监测", "boundary VOCs"),
    "ambient_air": ("环境空气质量监测", "ambient air"),
    "noise": ("噪声监测", "noise"),
    "groundwater_soil": ("地下水/土壤监测", "groundwater / soil"),
    "tank_level": ("储罐液位监测", "tank level"),
    "weather": ("气象监测", "weather"),
}
PROTOCOL_VERSIONS = ("2005", "2017", "2025")
RECEPTOR_KINDS = {
    "residential": ("居民区", "residential area"),
    "school": ("学校", "school"),
    "hospital": ("医院", "hospital"),
    "water_source_zone": ("饮用水水源保护区", "drinking-water source protection zone"),
}
RISK_SOURCE_KINDS = {
    "storage_tank": ("储罐", "storage tank"),
    "warehouse": ("仓库", "warehouse"),
    "hazardous_waste_store": ("危废暂存库", "hazardous-waste store"),
}
# Functional zones of a park's master plan (园区总体规划功能分区).
ZONE_KINDS = {
    "chemical_production": ("化工生产区", "chemical production"),
    "storage_logistics": ("仓储物流区", "storage and logistics"),
    "utilities": ("公用工程区", "public utilities"),
    "public_services": ("行政及生活服务区", "administration and services"),
    "green_buffer": ("生态隔离带", "green buffer"),
    "reserve": ("预留发展区", "reserve for development"),
    "other": ("其他", "other"),
}
